import { ConfigurationError, STORE_LIMITS } from '@hooks/core';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { secretsOf } from './postgres-errors.js';

/** Options every way of connecting shares. */
export interface PostgresStoreCommonOptions {
  /** Schema holding the store's tables (created if missing); a plain lower-case identifier. Default `public`. */
  schema?: string;
  /** The store's notion of now (insert times, default `now` of claims and replays). Default `() => new Date()`. */
  clock?: () => Date;
  /** Largest accepted payload, in bytes of serialised JSON. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** `auto` (default) applies pending migrations on init; `check` only verifies and throws if any are missing. */
  migrate?: 'auto' | 'check';
  /** Size of the pool the store opens for `connectionString` (ignored otherwise). Default 10. */
  poolSize?: number;
  /** LISTEN for other instances' NOTIFYs so subscribers wake within milliseconds. Default true. */
  listen?: boolean;
  /**
   * Send insertMany's INSERT as a named prepared statement (parsed and planned once per connection).
   * Default true; ignored with `db`. Set false behind a pooler that cannot keep them (PgBouncer in
   * transaction mode before 1.21, or without `max_prepared_statements`).
   */
  preparedStatements?: boolean;
}

/** Connect with a connection string: the store opens (and `close()` ends) its own pool. */
export interface PostgresConnectionStringOptions extends PostgresStoreCommonOptions {
  /** `postgres://user:password@host:5432/database`. */
  connectionString: string;
  /** Not with `connectionString`. */
  pool?: never;
  /** Not with `connectionString`. */
  db?: never;
}

/** Use a caller-owned pg.Pool: the store never ends it. */
export interface PostgresPoolOptions extends PostgresStoreCommonOptions {
  /** The caller's pool; the LISTEN connection is opened with the same settings (`pool.options`). */
  pool: pg.Pool;
  /** Not with `pool`. */
  connectionString?: never;
  /** Not with `pool`. */
  db?: never;
}

/** Use a caller-owned Kysely instance (PostgreSQL dialect): the store never destroys it. */
export interface PostgresKyselyOptions<DB> extends PostgresStoreCommonOptions {
  /** The caller's Kysely; its plugins are not applied to the store's queries. */
  db: Kysely<DB>;
  /** How to open the LISTEN connection; without it subscribers only wake for this instance's own writes. */
  listenConfig?: pg.ClientConfig;
  /** Not with `db`. */
  connectionString?: never;
  /** Not with `db`. */
  pool?: never;
}

/** Options of `createPostgresStore`: exactly one of `connectionString`, `pool` or `db`, plus common options. */
export type PostgresStoreOptions<DB = unknown> =
  | PostgresConnectionStringOptions
  | PostgresPoolOptions
  | PostgresKyselyOptions<DB>;

/** Where the store's connections come from. */
export type PostgresSource<DB> =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'pool'; readonly pool: pg.Pool }
  | { readonly kind: 'db'; readonly db: Kysely<DB> };

/** Options checked, defaulted, copied and frozen. */
export interface PostgresSettings<DB> {
  /** Where connections come from. */
  readonly source: PostgresSource<DB>;
  /** The schema holding the tables. */
  readonly schema: string;
  /** The store's clock. */
  readonly clock: () => Date;
  /** Largest accepted payload in bytes. */
  readonly maxPayloadBytes: number;
  /** Whether init migrates or only checks. */
  readonly migrate: 'auto' | 'check';
  /** Size of the pool opened for a connection string. */
  readonly poolSize: number;
  /** Whether `subscribe` opens a LISTEN connection. */
  readonly listen: boolean;
  /** Whether the INSERT goes out as a named prepared statement (on pools the store wraps). */
  readonly preparedStatements: boolean;
  /** How to open the LISTEN connection, or undefined when there is none to open. */
  readonly listenConfig: pg.ClientConfig | undefined;
  /** Passwords to keep out of every message. */
  readonly secrets: readonly string[];
}

/** A plain lower-case identifier PostgreSQL accepts unquoted, not in the reserved `pg_` namespace. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function fail(field: string, message: string): never {
  throw new ConfigurationError(`${field} ${message}`, { details: { field } });
}

function resolveSource<DB>(options: PostgresStoreOptions<DB>): PostgresSource<DB> {
  const given = (['connectionString', 'pool', 'db'] as const).filter((key) => options[key] !== undefined);
  if (given.length !== 1) {
    fail('options', `need exactly one of connectionString, pool or db; got ${given.join(', ') || 'none'}`);
  }
  if (options.connectionString !== undefined) {
    if (typeof options.connectionString !== 'string' || options.connectionString.trim() === '') {
      fail('connectionString', 'must be a non-empty string');
    }
    return Object.freeze({ kind: 'connectionString', connectionString: options.connectionString });
  }
  if (options.pool !== undefined) {
    if (typeof options.pool !== 'object' || typeof options.pool.connect !== 'function') {
      fail('pool', 'must be a pg.Pool');
    }
    return Object.freeze({ kind: 'pool', pool: options.pool });
  }
  const db = (options as PostgresKyselyOptions<DB>).db;
  if (typeof db !== 'object' || db === null || typeof db.withoutPlugins !== 'function') {
    fail('db', 'must be a Kysely instance');
  }
  return Object.freeze({ kind: 'db', db });
}

function listenConfigOf<DB>(
  source: PostgresSource<DB>,
  options: PostgresStoreOptions<DB>,
): pg.ClientConfig | undefined {
  if (source.kind === 'connectionString') return Object.freeze({ connectionString: source.connectionString });
  if (source.kind === 'pool') return Object.freeze({ ...source.pool.options });
  const config = (options as PostgresKyselyOptions<DB>).listenConfig;
  if (config === undefined) return undefined;
  if (typeof config !== 'object' || config === null) fail('listenConfig', 'must be a pg.ClientConfig object');
  return Object.freeze({ ...config });
}

/** Checks the factory's options and returns frozen settings; throws `ConfigurationError` naming the bad field. */
export function resolveSettings<DB>(options: PostgresStoreOptions<DB>): PostgresSettings<DB> {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  const source = resolveSource(options);
  const schema = options.schema ?? 'public';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    fail('schema', 'must be a plain lower-case identifier (a-z, 0-9, _; at most 63; not starting with pg_)');
  }
  const clock = options.clock ?? (() => new Date());
  if (typeof clock !== 'function') fail('clock', 'must be a function returning a Date');
  const maxPayloadBytes = options.maxPayloadBytes ?? STORE_LIMITS.maxPayloadBytes;
  if (typeof maxPayloadBytes !== 'number' || !Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
    fail('maxPayloadBytes', 'must be a positive integer');
  }
  const migrate = options.migrate ?? 'auto';
  if (migrate !== 'auto' && migrate !== 'check') fail('migrate', 'must be "auto" or "check"');
  const poolSize = options.poolSize ?? 10;
  if (typeof poolSize !== 'number' || !Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    fail('poolSize', 'must be an integer from 1 to 1000');
  }
  const listen = options.listen ?? true;
  if (typeof listen !== 'boolean') fail('listen', 'must be a boolean');
  const listenConfig = listen ? listenConfigOf(source, options) : undefined;
  const preparedStatements = options.preparedStatements ?? true;
  if (typeof preparedStatements !== 'boolean') fail('preparedStatements', 'must be a boolean');
  const poolOptions = source.kind === 'pool' ? source.pool.options : undefined;
  const connectionString =
    source.kind === 'connectionString' ? source.connectionString : poolOptions?.connectionString;
  const secrets = [
    ...secretsOf(connectionString, poolOptions?.password),
    ...secretsOf(listenConfig?.connectionString, listenConfig?.password),
  ];
  return Object.freeze({
    source,
    schema,
    clock,
    maxPayloadBytes,
    migrate,
    poolSize,
    listen,
    preparedStatements,
    listenConfig,
    secrets: Object.freeze([...new Set(secrets)]),
  });
}
