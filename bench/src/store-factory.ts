import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { WebhookStore } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { createPostgresStore } from '@hooks/store-postgres';
import { createSqliteStore } from '@hooks/store-sqlite';
import type { StoreKind } from './result-types.js';
import { createPgClient } from './sql-clients.js';

/** Where one run's events live: serialisable, so that child processes can open the same store. */
export type StoreLocation =
  | { kind: 'memory' }
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; databaseUrl: string; schema: string };

let counter = 0;

/**
 * A fresh, empty location for one run: a new SQLite file in a temporary directory, or a new PostgreSQL
 * schema name (created by the store's `init`).
 *
 * @example
 * const location = newStoreLocation('postgres', databaseUrl, 'hooks_bench');
 */
export function newStoreLocation(
  kind: StoreKind,
  databaseUrl: string,
  prefix = 'hooks_bench',
): StoreLocation {
  counter += 1;
  if (kind === 'memory') return { kind };
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `${prefix.replaceAll('_', '-')}-`));
    return { kind, filename: join(dir, 'hooks.db') };
  }
  return { kind, databaseUrl, schema: `${prefix}_${process.pid}_${Date.now() % 1e8}_${counter}` };
}

/** Opens a store on `location` (not yet initialised); each call opens its own connections. */
export function openStore(location: StoreLocation, poolSize = 10): WebhookStore {
  if (location.kind === 'memory') return createMemoryStore();
  if (location.kind === 'sqlite') return createSqliteStore({ filename: location.filename });
  return createPostgresStore({
    connectionString: location.databaseUrl,
    schema: location.schema,
    poolSize,
  });
}

/** Runs one SQL statement on a short-lived connection. */
export async function postgresQuery(
  databaseUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<void> {
  const client = createPgClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Deletes what `newStoreLocation` made: the SQLite directory or the PostgreSQL schema. */
export async function dropStoreLocation(location: StoreLocation): Promise<void> {
  if (location.kind === 'sqlite') rmSync(dirname(location.filename), { recursive: true, force: true });
  if (location.kind === 'postgres') {
    await postgresQuery(location.databaseUrl, `drop schema if exists "${location.schema}" cascade`);
  }
}

/** Waits until a Postgres store's LISTEN connection is up (no-op for other stores). */
export async function whenListening(store: WebhookStore): Promise<void> {
  const listening = (store as { whenListening?: () => Promise<void> }).whenListening;
  if (typeof listening === 'function') await listening.call(store);
}
