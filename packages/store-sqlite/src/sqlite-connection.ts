import { StoreUnavailableError } from '@hooks/core';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { BetterSqliteExecutor, KyselyExecutor, type SqlExecutor } from './sqlite-executor.js';
import type { ResolvedSqliteOptions } from './sqlite-options.js';

/** What the store talks to: an executor for its SQL, a Kysely for migrations and query building. */
export interface SqliteConnection {
  /** Runs the store's statements. */
  readonly executor: SqlExecutor;
  /** Kysely over the same database (the caller's own instance when one was given). */
  readonly kysely: Kysely<unknown>;
  /** Closes what was opened here; never a caller's handle or Kysely. */
  close(): Promise<void>;
}

/** Opens a database file with the store's pragmas: WAL, `synchronous = NORMAL`, a busy timeout, foreign keys. */
export function openDatabaseFile(filename: string, busyTimeoutMs: number): BetterSqlite3.Database {
  let database: BetterSqlite3.Database | undefined;
  try {
    database = new BetterSqlite3(filename, { timeout: busyTimeoutMs });
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    return database;
  } catch (error) {
    database?.close();
    const code = (error as { code?: unknown }).code;
    throw new StoreUnavailableError(
      `@hooks/store-sqlite: cannot open the database file${typeof code === 'string' ? ` (${code})` : ''}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function kyselyOver(database: BetterSqlite3.Database): Kysely<unknown> {
  return new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
}

/** Opens (or wraps) the database the options point at. */
export function openSqliteConnection(options: ResolvedSqliteOptions): SqliteConnection {
  const { source } = options;
  if (source.kind === 'kysely') {
    return { executor: new KyselyExecutor(source.db), kysely: source.db, close: async () => undefined };
  }
  if (source.kind === 'database') {
    const database = source.database;
    return {
      executor: new BetterSqliteExecutor(database),
      kysely: kyselyOver(database),
      close: async () => undefined,
    };
  }
  const database = openDatabaseFile(source.filename, options.busyTimeoutMs);
  return {
    executor: new BetterSqliteExecutor(database),
    // Never destroyed: destroying it would close `database`, which `close` below does itself.
    kysely: kyselyOver(database),
    close: async () => {
      if (database.open) database.close();
    },
  };
}
