import { ConfigurationError } from '@hooks/core';
import { type Kysely, type Migration, type MigrationResult, Migrator, sql } from 'kysely';
import { openDatabase } from './postgres-connection.js';
import { createEndpointsMigration } from './postgres-endpoints.js';
import { createScrubber, toStoreError } from './postgres-errors.js';
import { createLeanWritesMigration } from './postgres-lean-writes.js';
import { type PostgresStoreOptions, resolveSettings } from './postgres-options.js';

/** Name of kysely's migration table inside the store's schema. */
export const MIGRATION_TABLE = 'hooks_migrations';
/** Name of kysely's migration lock table inside the store's schema. */
export const MIGRATION_LOCK_TABLE = 'hooks_migrations_lock';

/** Ids sort by bytes (as in every other store), whatever the database's collation. */
const byteOrderText = sql`text collate "C"`;

/** The store's numbered migrations for a schema, in the form kysely's `Migrator` expects. */
export function postgresMigrations(schema: string): Record<string, Migration> {
  return {
    '0001_events_and_attempts': {
      async up(db: Kysely<unknown>): Promise<void> {
        const ddl = db.schema.withSchema(schema);
        await ddl
          .createTable('hooks_events')
          .addColumn('id', byteOrderText, (col) => col.primaryKey())
          .addColumn('event_type', 'text', (col) => col.notNull())
          .addColumn('payload', 'jsonb', (col) => col.notNull())
          .addColumn('target_url', 'text')
          .addColumn('status', 'text', (col) =>
            col.notNull().check(sql`status in ('pending', 'delivered', 'failed', 'skipped')`),
          )
          .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
          .addColumn('max_attempts', 'integer', (col) => col.notNull())
          .addColumn('next_retry_at', 'timestamptz')
          .addColumn('available_at', 'timestamptz', (col) => col.notNull())
          .addColumn('last_attempt_at', 'timestamptz')
          .addColumn('last_error', 'text')
          .addColumn('response_status', 'integer')
          .addColumn('response_body', 'text')
          .addColumn('delivered_at', 'timestamptz')
          .addColumn('inserted_at', 'timestamptz', (col) => col.notNull())
          .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
          .addColumn('replay_count', 'integer', (col) => col.notNull().defaultTo(0))
          .addColumn('locked_by', 'text')
          .addColumn('locked_until', 'timestamptz')
          .addColumn('idempotency_key', 'text', (col) => col.unique())
          .execute();
        // Claiming is an index range scan over pending rows only, however many terminal rows pile up.
        await ddl
          .createIndex('hooks_events_claim_idx')
          .on('hooks_events')
          .columns(['available_at', 'id'])
          .where(sql.ref('status'), '=', 'pending')
          .execute();
        await ddl
          .createIndex('hooks_events_status_idx')
          .on('hooks_events')
          .columns(['status', 'id'])
          .execute();
        await ddl
          .createIndex('hooks_events_event_type_idx')
          .on('hooks_events')
          .columns(['event_type', 'id'])
          .execute();
        await ddl
          .createTable('hooks_attempts')
          .addColumn('id', 'bigserial', (col) => col.primaryKey())
          .addColumn('event_id', byteOrderText, (col) =>
            col.notNull().references('hooks_events.id').onDelete('cascade'),
          )
          .addColumn('attempt_number', 'integer', (col) => col.notNull())
          .addColumn('replay_count', 'integer', (col) => col.notNull())
          .addColumn('started_at', 'timestamptz', (col) => col.notNull())
          .addColumn('finished_at', 'timestamptz', (col) => col.notNull())
          .addColumn('duration_ms', 'integer', (col) => col.notNull())
          .addColumn('response_status', 'integer')
          .addColumn('response_body', 'text')
          .addColumn('error', 'text')
          .addColumn('request_headers', 'jsonb')
          .addColumn('worker_id', 'text')
          .execute();
        await ddl
          .createIndex('hooks_attempts_event_idx')
          .on('hooks_attempts')
          .columns(['event_id', 'id'])
          .execute();
        await ddl
          .createIndex('hooks_attempts_finished_idx')
          .on('hooks_attempts')
          .column('finished_at')
          .execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.withSchema(schema).dropTable('hooks_attempts').execute();
        await db.schema.withSchema(schema).dropTable('hooks_events').execute();
      },
    },
    '0002_endpoints': createEndpointsMigration(schema),
    '0003_lean_writes': createLeanWritesMigration(schema),
  };
}

function createMigrator(db: Kysely<unknown>, schema: string): Migrator {
  const migrations = postgresMigrations(schema);
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/**
 * Creates the schema if missing and applies every pending migration. Safe to run from many processes at
 * once: kysely's Migrator holds a PostgreSQL advisory lock while it migrates. Returns the names applied now.
 */
export async function applyMigrations(db: Kysely<unknown>, schema: string): Promise<string[]> {
  const { error, results } = await createMigrator(db, schema).migrateToLatest();
  if (error instanceof Error && /corrupted migrations/.test(error.message)) {
    throw new ConfigurationError(
      `PostgreSQL schema "${schema}" holds migrations this @hooks/store-postgres does not know ` +
        `(was it migrated by a newer version?): ${error.message}`,
      { cause: error, details: { schema } },
    );
  }
  if (error !== undefined) throw error;
  return (results ?? [])
    .filter((result: MigrationResult) => result.status === 'Success')
    .map((r) => r.migrationName);
}

/** Names of migrations not yet applied to `schema` (read only: creates nothing). */
export async function pendingMigrations(db: Kysely<unknown>, schema: string): Promise<string[]> {
  const infos = await createMigrator(db, schema).getMigrations();
  return infos.filter((info) => info.executedAt === undefined).map((info) => info.name);
}

/** Throws a `ConfigurationError` naming what to run when `schema` is missing migrations. */
export async function checkMigrations(db: Kysely<unknown>, schema: string): Promise<void> {
  const pending = await pendingMigrations(db, schema);
  if (pending.length === 0) return;
  throw new ConfigurationError(
    `PostgreSQL schema "${schema}" is missing @hooks/store-postgres migrations (${pending.join(', ')}). ` +
      `Run them once with \`await migratePostgresStore({ connectionString, schema: '${schema}' })\` ` +
      `(or create the store with migrate: 'auto'), then start the store again.`,
    { details: { schema, pending } },
  );
}

/**
 * Applies the store's pending migrations to a schema (creating it if missing) and closes what it opened;
 * for deployments that run stores with `migrate: 'check'`. Returns the names of the migrations applied.
 *
 * @example
 * await migratePostgresStore({ connectionString: process.env.DATABASE_URL!, schema: 'webhooks' });
 */
export async function migratePostgresStore<DB = unknown>(
  options: PostgresStoreOptions<DB>,
): Promise<string[]> {
  const settings = resolveSettings({
    ...options,
    listen: false,
    migrate: 'auto',
  } as PostgresStoreOptions<DB>);
  const { db, owned } = openDatabase(settings);
  try {
    return await applyMigrations(db as unknown as Kysely<unknown>, settings.schema);
  } catch (error) {
    throw toStoreError(error, createScrubber(settings.secrets));
  } finally {
    if (owned) await db.destroy();
  }
}
