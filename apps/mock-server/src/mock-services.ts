import type { HooksMetrics } from '@hooks/app-shared';
import type { WebhookStore } from '@hooks/core';
import type { Dispatcher } from '@hooks/engine';
import type { Kysely } from 'kysely';
import type { MockDatabase } from './domain/mock-schema.js';
import type { StatusChangeDeps } from './domain/status-changes.js';
import type { MockServerConfig } from './mock-settings.js';

/** Everything the routes use, built once by `buildServer`. */
export interface MockServices {
  /** The checked configuration. */
  readonly config: MockServerConfig;
  /** Kysely over the shared database, typed with the mock server's tables (never use it inside a transaction). */
  readonly db: Kysely<MockDatabase>;
  /** The webhook store. */
  readonly store: WebhookStore;
  /** The engine's dispatcher (delivery, redelivery, replay, diagnostics). */
  readonly dispatcher: Dispatcher;
  /** Prometheus metrics. */
  readonly metrics: HooksMetrics;
  /** What status changes need (outbox, catalog, clock). */
  readonly changes: StatusChangeDeps;
  /** The server's notion of now. */
  readonly clock: () => Date;
  /** Lifetime of issued OAuth tokens, in seconds. */
  readonly tokenTtlSeconds: number;
}
