import { randomBytes } from 'node:crypto';
import { type OpenedStore, openStore, parseDatabaseUrl } from '@hooks/app-shared';
import {
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  uniqueSchema,
  withSchema,
} from '@hooks/app-shared/testing';
import type { NewWebhookEvent, WebhookEvent, WebhookStore } from '@hooks/core';

export { TEST_DATABASE_URL };

/** Why PostgreSQL cannot be used (tests skip with this reason), or undefined. Throws under CI. */
export const unavailable = await postgresUnavailable();

/** One test file's own schema on the test database, with a store to insert and read rows directly. */
export interface TestDatabase {
  /** The schema. */
  readonly schema: string;
  /** The database URL with `?schema=`, as the worker takes it. */
  readonly url: string;
  /** The store on that schema (the test's own connection pool). */
  readonly store: WebhookStore;
  /** The URL for one worker process: the schema plus an `application_name` to find its sessions by. */
  urlFor(applicationName: string): string;
  /** Inserts `count` pending events for `targetUrl` (in batches); returns their ids. */
  insertEvents(count: number, targetUrl: string, extra?: Partial<NewWebhookEvent>): Promise<string[]>;
  /** Closes the store and drops the schema. */
  dispose(): Promise<void>;
}

/**
 * Creates a fresh schema for one test file (migrated by opening the store on it).
 *
 * @example
 * const db = await createTestDatabase('worker_crash');
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const schema = uniqueSchema(prefix);
  const url = withSchema(TEST_DATABASE_URL, schema);
  const opened: OpenedStore = await openStore(parseDatabaseUrl(url, { name: 'test', cwd: process.cwd() }));
  const store = opened.store;
  return {
    schema,
    url,
    store,
    urlFor(applicationName) {
      const parsed = new URL(url);
      parsed.searchParams.set('application_name', applicationName);
      return parsed.toString();
    },
    async insertEvents(count, targetUrl, extra = {}) {
      const ids: string[] = [];
      for (let start = 0; start < count; start += 1000) {
        const batch = Array.from({ length: Math.min(1000, count - start) }, (_, index) => ({
          eventType: 'test.delivery',
          payload: { n: start + index, pad: 'x'.repeat(32) },
          targetUrl,
          ...extra,
        }));
        const results = await store.insertMany(batch);
        ids.push(...results.map((result) => result.event.id));
      }
      return ids;
    },
    async dispose() {
      await opened.close().catch(() => undefined);
      await dropSchema(schema);
    },
  };
}

/** A random application name for one worker process (to find its PostgreSQL sessions). */
export function applicationName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Resolves when `check` resolves true, polling every `everyMs`; rejects after `timeoutMs` with `what`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Every row of the store, oldest first. */
export async function allRows(store: WebhookStore): Promise<WebhookEvent[]> {
  const rows: WebhookEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.list({ order: 'asc', limit: 1000, cursor });
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return rows;
}
