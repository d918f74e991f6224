import { ConfigurationError } from '@hooks/core';
import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResult,
  Migrator,
  sql,
} from 'kysely';
import { openSqliteConnection } from './sqlite-connection.js';
import { createEndpointsMigration } from './sqlite-endpoints.js';
import { beginImmediate } from './sqlite-executor.js';
import { resolveSqliteOptions, type SqliteStoreOptions } from './sqlite-options.js';
import { NEVER_AVAILABLE, type SqliteTableNames, tableNames } from './sqlite-schema.js';
import { partialStatusIndexMigration } from './sqlite-status-index.js';

/**
 * When a pending row may next be claimed, from its public fields: never once its attempts are used up;
 * otherwise its due time (`next_retry_at`, or `inserted_at` when due now), or the end of a lease if later.
 */
const AVAILABLE_AT = sql.raw(
  `CASE WHEN attempts >= max_attempts THEN ${NEVER_AVAILABLE} ` +
    'ELSE max(coalesce(next_retry_at, inserted_at), coalesce(locked_until, 0)) END',
);

function createEvents(names: SqliteTableNames): Migration {
  const { events, prefix, claimIndex } = names;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(events)
        .addColumn('id', 'text', (col) => col.primaryKey().notNull())
        .addColumn('event_type', 'text', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull())
        .addColumn('target_url', 'text')
        .addColumn('status', 'text', (col) =>
          col.notNull().check(sql`status IN ('pending', 'delivered', 'failed', 'skipped')`),
        )
        .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (col) => col.notNull())
        .addColumn('next_retry_at', 'integer')
        .addColumn('last_attempt_at', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('response_status', 'integer')
        .addColumn('response_body', 'text')
        .addColumn('delivered_at', 'integer')
        .addColumn('inserted_at', 'integer', (col) => col.notNull())
        .addColumn('updated_at', 'integer', (col) => col.notNull())
        .addColumn('replay_count', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('locked_by', 'text')
        .addColumn('locked_until', 'integer')
        .addColumn('idempotency_key', 'text', (col) => col.unique())
        .addColumn('available_at', 'integer', (col) => col.notNull().generatedAlwaysAs(AVAILABLE_AT).stored())
        .execute();
      // Claiming is one range scan of this index: pending rows ordered by when they become claimable.
      await db.schema
        .createIndex(claimIndex)
        .on(events)
        .columns(['available_at', 'id'])
        .where(sql.ref('status'), '=', sql.lit('pending'))
        .execute();
      await db.schema
        .createIndex(`${prefix}events_status_idx`)
        .on(events)
        .columns(['status', 'id'])
        .execute();
      await db.schema
        .createIndex(`${prefix}events_type_idx`)
        .on(events)
        .columns(['event_type', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable(events).execute();
    },
  };
}

function createAttempts(names: SqliteTableNames): Migration {
  const { events, attempts, prefix } = names;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(attempts)
        .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
        .addColumn('event_id', 'text', (col) => col.notNull().references(`${events}.id`).onDelete('cascade'))
        .addColumn('attempt_number', 'integer', (col) => col.notNull())
        .addColumn('replay_count', 'integer', (col) => col.notNull())
        .addColumn('started_at', 'integer', (col) => col.notNull())
        .addColumn('finished_at', 'integer', (col) => col.notNull())
        .addColumn('duration_ms', 'integer', (col) => col.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('response_body', 'text')
        .addColumn('error', 'text')
        .addColumn('request_headers', 'text')
        .addColumn('worker_id', 'text')
        .execute();
      await db.schema
        .createIndex(`${prefix}attempts_event_idx`)
        .on(attempts)
        .columns(['event_id', 'id'])
        .execute();
      await db.schema
        .createIndex(`${prefix}attempts_finished_idx`)
        .on(attempts)
        .column('finished_at')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable(attempts).execute();
    },
  };
}

/** The store's numbered migrations, in order. Never edit one that shipped: add the next number instead. */
export function sqliteMigrations(names: SqliteTableNames): Record<string, Migration> {
  return {
    '0001_create_events': createEvents(names),
    '0002_create_attempts': createAttempts(names),
    '0003_create_endpoints': createEndpointsMigration(names),
    '0004_partial_status_index': partialStatusIndexMigration(names),
  };
}

/** A kysely `MigrationProvider` over `sqliteMigrations` for one table prefix. */
export class SqliteMigrationProvider implements MigrationProvider {
  readonly #names: SqliteTableNames;
  readonly #upTo: string | undefined;

  /** `upTo` stops at that migration (inclusive); used to build older schemas in tests. */
  constructor(names: SqliteTableNames, upTo?: string) {
    this.#names = names;
    this.#upTo = upTo;
  }

  /** The migrations by name. */
  async getMigrations(): Promise<Record<string, Migration>> {
    const all = sqliteMigrations(this.#names);
    const upTo = this.#upTo;
    if (upTo === undefined) return all;
    return Object.fromEntries(Object.entries(all).filter(([name]) => name <= upTo));
  }
}

function createMigrator(db: Kysely<unknown>, names: SqliteTableNames, upTo?: string): Migrator {
  return new Migrator({
    db,
    provider: new SqliteMigrationProvider(names, upTo),
    migrationTableName: names.migrations,
    migrationLockTableName: names.migrationsLock,
  });
}

/** Names of the store's migrations that the database has not run yet. */
export async function pendingMigrations(db: Kysely<unknown>, names: SqliteTableNames): Promise<string[]> {
  const migrations = await createMigrator(db, names).getMigrations();
  return migrations.filter((migration) => migration.executedAt === undefined).map((m) => m.name);
}

/**
 * Runs the store's pending migrations (up to `upTo`, default all) inside one `BEGIN IMMEDIATE` transaction
 * (taken without blocking the thread), so that several stores or processes opening one file at once migrate
 * it exactly once. Returns the names applied.
 */
export async function runMigrations(
  db: Kysely<unknown>,
  names: SqliteTableNames,
  upTo?: string,
): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    await beginImmediate(connection);
    let results: MigrationResult[] | undefined;
    try {
      const outcome = await createMigrator(connection, names, upTo).migrateToLatest();
      results = outcome.results;
      if (outcome.error !== undefined) {
        // A database failure (busy, I/O) stays as it is; anything else is a broken migration history.
        if (typeof (outcome.error as { code?: unknown }).code === 'string') throw outcome.error;
        const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'a migration';
        throw new ConfigurationError(
          `@hooks/store-sqlite: ${failed} failed: ${(outcome.error as Error).message ?? outcome.error}`,
          { cause: outcome.error, details: { migration: failed } },
        );
      }
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  });
}

/**
 * What `init()` does with the schema: `auto` applies pending migrations; `check` rejects with a
 * `ConfigurationError` naming what to run when any is pending.
 */
export async function ensureSchema(
  db: Kysely<unknown>,
  names: SqliteTableNames,
  mode: 'auto' | 'check',
): Promise<void> {
  const pending = await pendingMigrations(db, names);
  if (pending.length === 0) return;
  if (mode === 'auto') {
    await runMigrations(db, names);
    return;
  }
  throw new ConfigurationError(
    `@hooks/store-sqlite: the database schema is behind: migrations ${pending.join(', ')} have not run ` +
      "(the store was created with migrate: 'check'). Run `await migrateSqliteStore({ filename })` " +
      "(same options as createSqliteStore) once, or create the store with migrate: 'auto' (the default) " +
      'and call store.init().',
    { details: { field: 'migrate', pending } },
  );
}

/** What `migrateSqliteStore` did. */
export interface SqliteMigrationReport {
  /** Names of the migrations applied now (empty when the schema was already current). */
  applied: string[];
}

/**
 * Creates or upgrades the store's tables, e.g. from a deploy step, so that stores can run with
 * `migrate: 'check'`. Takes the same connection options as `createSqliteStore`; closes only what it opened.
 *
 * @example
 * const { applied } = await migrateSqliteStore({ filename: './hooks.db' });
 * console.log(applied); // ['0001_create_events', '0002_create_attempts'] on a new file
 */
export async function migrateSqliteStore<DB = unknown>(
  options: SqliteStoreOptions<DB>,
): Promise<SqliteMigrationReport> {
  const resolved = resolveSqliteOptions(options);
  const connection = openSqliteConnection(resolved);
  try {
    return { applied: await runMigrations(connection.kysely, tableNames(resolved.tablePrefix)) };
  } finally {
    await connection.close();
  }
}
