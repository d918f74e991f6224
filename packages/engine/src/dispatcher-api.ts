import type {
  EndpointHealth,
  ListEndpointsQuery,
  ReplayReport,
  ReplaySelector,
  WebhookEvent,
  WebhookStore,
} from '@hooks/core';
import type { DispatcherDiagnostics } from './diagnostics.js';
import type { DispatcherTransaction } from './dispatcher-transaction.js';
import type { EnqueueItem, EnqueueOptions } from './enqueue-input.js';
import type { StopOptions } from './scheduler.js';

/** Options of `Dispatcher.replay`. */
export interface DispatcherReplayOptions {
  /** Required bound on how many rows are considered (1 to 10000). */
  limit: number;
  /** List candidates without changing anything. */
  dryRun?: boolean;
  /** Rows replayed this many times already are refused (default 5). */
  maxReplays?: number;
}

/** Sends webhooks: persists each event, then delivers it (inline or through the bounded queue). */
export interface Dispatcher extends AsyncDisposable {
  /** The store events live in. */
  readonly store: WebhookStore;
  /** Validates, persists, then delivers one event; never rejects because the receiver failed. */
  enqueue(eventType: string, payload: unknown, options?: EnqueueOptions): Promise<WebhookEvent>;
  /** Persists many events with one `insertMany`, then delivers them. */
  enqueueMany(items: readonly EnqueueItem[]): Promise<WebhookEvent[]>;
  /**
   * Runs `work` in one store transaction (the transactional outbox): events enqueued through `tx` commit with
   * the caller's writes on `tx.db`, or not at all, and are delivered after the commit (inline in sync mode).
   */
  transaction<T>(work: (tx: DispatcherTransaction) => Promise<T>): Promise<T>;
  /** Delivers (or re-delivers) one event now; terminal rows and rows leased elsewhere come back unchanged. */
  deliverNow(id: string): Promise<WebhookEvent>;
  /** Pending rows with attempts left that are due at `now`. */
  listPendingDue(now?: Date, limit?: number): Promise<WebhookEvent[]>;
  /** Claims due rows once and delivers them; resolves with how many were claimed once all are recorded. */
  deliverDue(options?: { now?: Date; limit?: number }): Promise<number>;
  /** Replays terminal rows (bounded) and wakes delivery for them. */
  replay(selector: ReplaySelector, options: DispatcherReplayOptions): Promise<ReplayReport>;
  /** Counters, queue state, latency percentiles, recent failures and unhealthy endpoints (no secrets). */
  diagnostics(): DispatcherDiagnostics;
  /** Endpoint health as the store keeps it (shared by every worker on the store). */
  listEndpoints(query?: ListEndpointsQuery): Promise<EndpointHealth[]>;
  /**
   * Re-enables a disabled endpoint (an explicit act; at once in this process, within `endpointHealth.refreshMs`
   * or at the next store notification in others). Rows skipped meanwhile stay `skipped`: replay them.
   */
  enableEndpoint(url: string): Promise<EndpointHealth | undefined>;
  /** Starts the scheduler (retries, deferred hand-offs, rows of dead workers). */
  start(): void;
  /** Stops the scheduler; in-flight attempts get `deadlineMs` to finish, the rest are aborted and released. */
  stop(options?: StopOptions): Promise<void>;
  /** Stops everything, drains the queue within `deadlineMs` (default 5000), closes connections; never hangs. */
  close(options?: StopOptions): Promise<void>;
}
