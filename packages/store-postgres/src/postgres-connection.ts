import { Kysely, type MigrationLockOptions, PostgresAdapter, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { PostgresSettings } from './postgres-options.js';
import { preparingPool } from './postgres-prepared.js';
import type { HooksDatabase } from './postgres-schema.js';

/** First key of the store's advisory locks ('hook' in ASCII); the second is a hash of the schema name. */
const LOCK_NAMESPACE = 0x686f6f6b;

/**
 * kysely's PostgreSQL adapter with a migration lock per schema: kysely's own is one advisory lock for the
 * whole database, so any other kysely migration (another app, another schema) would hold up `init()`.
 */
class SchemaLockAdapter extends PostgresAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    const schema = options.lockTableSchema ?? 'public';
    await sql`select pg_advisory_lock(${sql.lit(LOCK_NAMESPACE)}, hashtext(${schema}))`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    const schema = options.lockTableSchema ?? 'public';
    await sql`select pg_advisory_unlock(${sql.lit(LOCK_NAMESPACE)}, hashtext(${schema}))`.execute(db);
  }
}

/** kysely's PostgreSQL dialect with `SchemaLockAdapter`. */
class HooksPostgresDialect extends PostgresDialect {
  override createAdapter(): PostgresAdapter {
    return new SchemaLockAdapter();
  }
}

/** The Kysely instances a store works through. */
export interface OpenedDatabase {
  /** For the store's own queries: no caller plugins. */
  db: Kysely<HooksDatabase>;
  /** For `transaction()`: the caller's Kysely as given (plugins included), or `db`. */
  root: Kysely<unknown>;
  /** True when the store opened it and must destroy it on close. */
  owned: boolean;
}

/**
 * Opens the Kysely instance a store works through: its own pool for a connection string, or the caller's
 * pool or Kysely (without their plugins). Pools are wrapped to send hot statements as named prepared
 * statements unless `preparedStatements` is false. `owned` is true when the store must destroy it on close.
 */
export function openDatabase<DB>(settings: PostgresSettings<DB>): OpenedDatabase {
  const { source } = settings;
  if (source.kind === 'db') {
    const root = source.db as unknown as Kysely<unknown>;
    return { db: root.withoutPlugins() as Kysely<HooksDatabase>, root, owned: false };
  }
  const wrap = (pool: pg.Pool) => (settings.preparedStatements ? preparingPool(pool) : pool);
  if (source.kind === 'pool') {
    const db = new Kysely<HooksDatabase>({ dialect: new HooksPostgresDialect({ pool: wrap(source.pool) }) });
    return { db, root: db as unknown as Kysely<unknown>, owned: false };
  }
  const pool = new pg.Pool({ connectionString: source.connectionString, max: settings.poolSize });
  // A connection that dies (server restart, pg_terminate_backend) must not crash the process with an
  // unhandled 'error' event, idle or checked out; the query that used it rejects and is reported instead.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<HooksDatabase>({ dialect: new HooksPostgresDialect({ pool: wrap(pool) }) });
  return { db, root: db as unknown as Kysely<unknown>, owned: true };
}
