import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { HooksError, StoreUnavailableError, type WebhookStore } from '@hooks/core';
import { createPostgresStore } from '@hooks/store-postgres';
import { createSqliteStore } from '@hooks/store-sqlite';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseLocation, PostgresLocation, SqliteLocation } from './database-location.js';

/** The store and a Kysely instance over the same connection (SQLite) or pool (PostgreSQL). */
export interface OpenedStore {
  /** The webhook store, initialised (its tables exist). */
  readonly store: WebhookStore;
  /**
   * Kysely over the store's database, for the apps' own tables. On SQLite it is the store's own connection
   * (the store runs its SQL through it); on PostgreSQL it shares the store's pool. Untyped: cast with
   * `withTables` or `as Kysely<YourTables>`.
   */
  readonly db: Kysely<unknown>;
  /** Which database this is. */
  readonly location: DatabaseLocation;
  /** Closes the store, then the Kysely instance and the connection or pool. Idempotent. */
  close(): Promise<void>;
}

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** How long a SQLite statement waits for another process's write lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Size of the PostgreSQL pool (default 10). */
  poolSize?: number;
  /** Largest event payload the store accepts, in bytes of JSON (the store's default is 1 MiB). */
  maxPayloadBytes?: number;
}

const BUSY_TIMEOUT_MS = 5000;

function scrub(text: string, location: DatabaseLocation): string {
  if (location.kind !== 'postgres') return text;
  const url = new URL(location.connectionString);
  const password = decodeURIComponent(url.password);
  let out = text.split(location.connectionString).join(location.display);
  for (const secret of [password, url.password].filter((value) => value.length > 0)) {
    out = out.split(secret).join('***');
  }
  return out;
}

function unavailable(location: DatabaseLocation, error: unknown): StoreUnavailableError {
  const reason = scrub(error instanceof Error ? error.message : String(error), location);
  return new StoreUnavailableError(
    `cannot open the database ${location.display} (${location.setting}): ${reason}`.replace(/[\r\n]+/g, ' '),
    {
      cause: HooksError.isInstance(error) ? error : undefined,
      details: { database: location.display, field: location.setting },
    },
  );
}

function openSqlite(location: SqliteLocation, options: OpenStoreOptions): OpenedStore {
  const timeout = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  if (location.filename !== ':memory:') mkdirSync(dirname(location.filename), { recursive: true });
  const database = new BetterSqlite3(location.filename, { timeout });
  try {
    database.pragma(`busy_timeout = ${timeout}`);
    if (location.filename !== ':memory:') database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database.close();
    throw error;
  }
  // One connection for everything: the store runs its SQL through this Kysely, so a Kysely transaction
  // opened here holds the connection and the store's own statements wait for it (none slip inside).
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const store = createSqliteStore({ db, maxPayloadBytes: options.maxPayloadBytes });
  return { store, db, location, close: closer(store, db) };
}

function openPostgres(location: PostgresLocation, options: OpenStoreOptions): OpenedStore {
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: options.poolSize ?? 10,
    // Unqualified names (the apps' own tables) resolve to the configured schema.
    options: `-c search_path=${location.schema}`,
  });
  // An idle client that dies (database restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // So must a checked-out client (pg_terminate_backend, failover): the query using it rejects instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const store = createPostgresStore({
    pool,
    schema: location.schema,
    maxPayloadBytes: options.maxPayloadBytes,
  });
  return { store, db, location, close: closer(store, db) };
}

function closer(store: WebhookStore, db: Kysely<unknown>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      try {
        await store.close();
      } finally {
        await db.destroy();
      }
    })();
    return closing;
  };
}

/**
 * Opens the store a database location points at (`@hooks/store-sqlite` or `@hooks/store-postgres`),
 * creating the SQLite file's directory when needed, and initialises it (creates or migrates its tables).
 * Rejects with `StoreUnavailableError` whose message shows the URL without its password.
 *
 * @example
 * const { config } = loadConfig();
 * const { store, db, close } = await openStore(config.database);
 * await close();
 */
export async function openStore(
  location: DatabaseLocation,
  options: OpenStoreOptions = {},
): Promise<OpenedStore> {
  let opened: OpenedStore;
  try {
    opened = location.kind === 'sqlite' ? openSqlite(location, options) : openPostgres(location, options);
  } catch (error) {
    throw unavailable(location, error);
  }
  try {
    await opened.store.init();
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw unavailable(location, error);
  }
  return opened;
}
