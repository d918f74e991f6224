import { ConfigurationError, STORE_LIMITS } from '@hooks/core';
import type { Database } from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { DEFAULT_TABLE_PREFIX } from './sqlite-schema.js';

/** What every way of opening the store accepts. */
export interface SqliteStoreCommonOptions {
  /** The store's notion of now (default `() => new Date()`). */
  clock?: () => Date;
  /** Largest serialised payload accepted, in bytes (default 1 MiB). */
  maxPayloadBytes?: number;
  /** `auto` (default) migrates on `init()`; `check` refuses to start when the schema is behind. */
  migrate?: 'auto' | 'check';
  /** Prefix of every table and index the store creates (default `hooks_`); letters, digits and `_`. */
  tablePrefix?: string;
}

/** Open (and own) a database file; `':memory:'` gives a private in-memory database. */
export interface SqliteFileOptions extends SqliteStoreCommonOptions {
  /** Path of the database file, created when missing. */
  filename: string;
  /** How long a statement waits for another connection's write lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/** Use a better-sqlite3 handle the caller opened (and closes): the store never closes it. */
export interface SqliteDatabaseOptions extends SqliteStoreCommonOptions {
  /** The caller's better-sqlite3 handle. Set its busy timeout (`{ timeout }`) for multi-process use. */
  database: Database;
}

/** Use a Kysely instance (SQLite dialect) the caller built (and destroys): the store never destroys it. */
export interface SqliteKyselyOptions<DB = unknown> extends SqliteStoreCommonOptions {
  /** The caller's Kysely instance over SQLite. */
  db: Kysely<DB>;
}

/** Options of `createSqliteStore`: exactly one of `filename`, `database` or `db`, plus common options. */
export type SqliteStoreOptions<DB = unknown> =
  | SqliteFileOptions
  | SqliteDatabaseOptions
  | SqliteKyselyOptions<DB>;

/** Options after defaults and checks, frozen. */
export interface ResolvedSqliteOptions {
  /** What to connect to: a file the store opens, or the caller's handle or Kysely. */
  readonly source:
    | { readonly kind: 'file'; readonly filename: string }
    | { readonly kind: 'database'; readonly database: Database }
    | { readonly kind: 'kysely'; readonly db: Kysely<unknown> };
  /** Busy timeout of a file the store opens, in ms. */
  readonly busyTimeoutMs: number;
  /** The store's notion of now. */
  readonly clock: () => Date;
  /** Largest serialised payload accepted, in bytes. */
  readonly maxPayloadBytes: number;
  /** Whether `init()` migrates or only checks. */
  readonly migrate: 'auto' | 'check';
  /** Prefix of the store's tables and indexes. */
  readonly tablePrefix: string;
}

function invalid(field: string, message: string): ConfigurationError {
  return new ConfigurationError(`@hooks/store-sqlite: ${field} ${message}`, { details: { field } });
}

function resolveSource(options: Record<string, unknown>): ResolvedSqliteOptions['source'] {
  const given = ['filename', 'database', 'db'].filter((key) => options[key] !== undefined);
  if (given.length !== 1) {
    throw invalid(
      'options',
      `need exactly one of filename, database or db; got ${given.length === 0 ? 'none' : given.join(', ')}`,
    );
  }
  if (options.filename !== undefined) {
    if (typeof options.filename !== 'string' || options.filename === '') {
      throw invalid('filename', 'must be a non-empty path or ":memory:"');
    }
    return Object.freeze({ kind: 'file', filename: options.filename });
  }
  if (options.database !== undefined) {
    const database = options.database as Database;
    if (typeof database !== 'object' || database === null || typeof database.prepare !== 'function') {
      throw invalid('database', 'must be a better-sqlite3 Database');
    }
    return Object.freeze({ kind: 'database', database });
  }
  const db = options.db as Kysely<unknown>;
  if (typeof db !== 'object' || db === null || typeof db.connection !== 'function') {
    throw invalid('db', 'must be a Kysely instance');
  }
  return Object.freeze({ kind: 'kysely', db });
}

/** Checks options, applies defaults, and returns a frozen copy. */
export function resolveSqliteOptions<DB>(options: SqliteStoreOptions<DB>): ResolvedSqliteOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
  const record = options as unknown as Record<string, unknown>;
  const busyTimeoutMs = record.busyTimeoutMs ?? 5000;
  if (typeof busyTimeoutMs !== 'number' || !Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw invalid('busyTimeoutMs', 'must be an integer >= 0');
  }
  const clock = options.clock ?? (() => new Date());
  if (typeof clock !== 'function') throw invalid('clock', 'must be a function returning a Date');
  const maxPayloadBytes = options.maxPayloadBytes ?? STORE_LIMITS.maxPayloadBytes;
  if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
    throw invalid('maxPayloadBytes', 'must be a positive integer');
  }
  const migrate = options.migrate ?? 'auto';
  if (migrate !== 'auto' && migrate !== 'check') throw invalid('migrate', 'must be "auto" or "check"');
  const tablePrefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  if (typeof tablePrefix !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(tablePrefix)) {
    throw invalid('tablePrefix', 'must start with a letter or "_" and hold only letters, digits and "_"');
  }
  return Object.freeze({
    source: resolveSource(record),
    busyTimeoutMs,
    clock,
    maxPayloadBytes,
    migrate,
    tablePrefix,
  });
}
