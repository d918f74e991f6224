// bench/package.json has pg and better-sqlite3 but not their @types packages (adding them needs an install),
// so the few calls the bench makes are typed here, and the modules are loaded with require.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of pg's `Client` the bench uses. */
export interface PgClient {
  /** Opens the connection. */
  connect(): Promise<void>;
  /** Runs one statement. */
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Closes the connection. */
  end(): Promise<void>;
  /** Listens for connection errors. */
  on(event: 'error', listener: (error: Error) => void): void;
}

/** A prepared SQLite statement. */
export interface SqliteStatement {
  /** Runs it. */
  run(...params: unknown[]): unknown;
  /** Runs it and returns the first row. */
  get(...params: unknown[]): unknown;
}

/** The part of better-sqlite3's `Database` the bench uses. */
export interface SqliteDatabase {
  /** Prepares a statement. */
  prepare(sql: string): SqliteStatement;
  /** Runs SQL without results. */
  exec(sql: string): void;
  /** Wraps `work` in a transaction; `.immediate()` runs it with BEGIN IMMEDIATE. */
  transaction(work: () => void): { immediate(): void };
  /** Closes the database. */
  close(): void;
}

/**
 * A new (unconnected) pg `Client` whose connection errors are ignored (callers see them on their queries).
 *
 * @example
 * const client = createPgClient({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
 * await client.connect();
 */
export function createPgClient(config: {
  connectionString: string;
  connectionTimeoutMillis?: number;
}): PgClient {
  const pg = require('pg') as { Client: new (options: object) => PgClient };
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  return client;
}

/**
 * Opens a SQLite database file with better-sqlite3.
 *
 * @example
 * const db = openSqlite(':memory:');
 * console.log(db.prepare('select sqlite_version() as v').get());
 */
export function openSqlite(filename: string): SqliteDatabase {
  const Database = require('better-sqlite3') as new (file: string) => SqliteDatabase;
  return new Database(filename);
}
