import Database from 'better-sqlite3';
import pg from 'pg';

/** A pg client as the bench uses it. */
export type PgClient = pg.Client;

/** A better-sqlite3 database as the bench uses it. */
export type SqliteDatabase = Database.Database;

/**
 * A new (unconnected) pg `Client` whose connection errors are ignored (callers see them on their queries).
 *
 * @example
 * const client = createPgClient({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
 * await client.connect();
 */
export function createPgClient(config: pg.ClientConfig): PgClient {
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
  return new Database(filename);
}
