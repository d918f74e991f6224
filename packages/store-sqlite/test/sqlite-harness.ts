import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebhookStore } from '@hooks/core';
import type { RawEndpointRow, RawEventRow, StoreHarness } from '@hooks/store-conformance';
import Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';
import { createSqliteStore } from '../src/index.js';

/** Per test: a fresh temp directory with a database path in it, and things to close (last first) after the test. */
export interface TempFiles {
  /** The test's temp directory. */
  readonly dir: string;
  /** `hooks.db` in that directory (not created). */
  readonly filename: string;
  /** Closed in reverse order after each test, then the directory is removed. */
  readonly toClose: { close(): unknown }[];
}

/** Registers `beforeEach` / `afterEach` hooks that give every test of the file its own `TempFiles`. */
export function tempFilesPerTest(): TempFiles {
  let temp: Awaited<ReturnType<typeof tempDir>> | undefined;
  const toClose: { close(): unknown }[] = [];
  beforeEach(async () => {
    temp = await tempDir();
  });
  afterEach(async () => {
    for (const item of toClose.splice(0).reverse()) await item.close();
    await temp?.remove();
  });
  return {
    get dir() {
      return temp!.dir;
    },
    get filename() {
      return join(temp!.dir, 'hooks.db');
    },
    toClose,
  };
}

/** A fresh temp directory for one test's database files. */
export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hooks-sqlite-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

type Stored = Record<string, string | number | null>;

function date(value: string | number | null | undefined): Date | null {
  return value === null || value === undefined ? null : new Date(Number(value));
}

/** Maps a raw `hooks_events` row (read with plain SQL) to the conformance suite's `RawEventRow`. */
export function toRawEventRow(row: Stored): RawEventRow {
  return {
    id: String(row.id),
    eventType: String(row.event_type),
    payload: JSON.parse(String(row.payload)),
    targetUrl: row.target_url === null ? null : String(row.target_url),
    status: String(row.status),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    nextRetryAt: date(row.next_retry_at),
    lastAttemptAt: date(row.last_attempt_at),
    lastError: row.last_error === null ? null : String(row.last_error),
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    responseBody: row.response_body === null ? null : String(row.response_body),
    deliveredAt: date(row.delivered_at),
    insertedAt: date(row.inserted_at)!,
    updatedAt: date(row.updated_at)!,
    replayCount: Number(row.replay_count),
    lockedBy: row.locked_by === null ? null : String(row.locked_by),
    lockedUntil: date(row.locked_until),
    idempotencyKey: row.idempotency_key === null ? null : String(row.idempotency_key),
  };
}

/** Maps a raw `hooks_endpoints` row (read with plain SQL) to the conformance suite's `RawEndpointRow`. */
export function toRawEndpointRow(row: Stored): RawEndpointRow {
  return {
    url: String(row.url),
    consecutiveFailures: Number(row.consecutive_failures),
    failingSince: date(row.failing_since),
    lastFailureAt: date(row.last_failure_at),
    lastSuccessAt: date(row.last_success_at),
    lastError: row.last_error === null ? null : String(row.last_error),
    disabledAt: date(row.disabled_at),
    disabledReason: row.disabled_reason === null ? null : String(row.disabled_reason),
    updatedAt: date(row.updated_at)!,
  };
}

/** Raw reads of a database file through its own plain better-sqlite3 connection (not through a store). */
export function rawReader(filename: string): { raw: StoreHarness['raw']; close(): void } {
  const db = new Database(filename);
  const count = (text: string, ...params: string[]) =>
    Number((db.prepare(text).get(...params) as { n: number }).n);
  return {
    raw: {
      async event(id) {
        const row = db.prepare('SELECT * FROM hooks_events WHERE id = ?').get(id) as Stored | undefined;
        return row === undefined ? undefined : toRawEventRow(row);
      },
      async countEvents() {
        return count('SELECT count(*) AS n FROM hooks_events');
      },
      async countAttempts(eventId) {
        return eventId === undefined
          ? count('SELECT count(*) AS n FROM hooks_attempts')
          : count('SELECT count(*) AS n FROM hooks_attempts WHERE event_id = ?', eventId);
      },
      async endpoint(url) {
        const row = db.prepare('SELECT * FROM hooks_endpoints WHERE url = ?').get(url) as Stored | undefined;
        return row === undefined ? undefined : toRawEndpointRow(row);
      },
    },
    close: () => db.close(),
  };
}

/**
 * A conformance harness over a new database file in a temp directory: `open(filename)` makes the store and
 * each peer; raw reads go through a separate plain connection; `dispose` closes what `open` needed besides
 * the stores.
 */
export async function sqliteHarness(
  open: (filename: string) => WebhookStore = (filename) => createSqliteStore({ filename }),
  dispose: () => Promise<void> = async () => undefined,
): Promise<StoreHarness> {
  const temp = await tempDir();
  const filename = join(temp.dir, 'hooks.db');
  const store = open(filename);
  await store.init();
  const reader = rawReader(filename);
  const peers: WebhookStore[] = [];
  return {
    store,
    async openPeer() {
      const peer = open(filename);
      await peer.init();
      peers.push(peer);
      return peer;
    },
    raw: reader.raw,
    async cleanup() {
      await store.close();
      for (const peer of peers) await peer.close();
      reader.close();
      await dispose();
      await temp.remove();
    },
  };
}
