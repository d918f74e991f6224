import {
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
} from 'kysely';

/** Which SQL dialect the migrations target. */
export type SqlDialectKind = 'sqlite' | 'postgres';

/** The table that records applied migrations (apart from the stores' own). */
export const MIGRATION_TABLE = 'mock_migrations';

/** Adds an integer primary key the database assigns (`autoincrement` on SQLite, `serial` on PostgreSQL). */
function withId(table: CreateTableBuilder<string>, kind: SqlDialectKind): CreateTableBuilder<string> {
  return kind === 'sqlite'
    ? table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    : table.addColumn('id', 'serial', (col) => col.primaryKey());
}

function migrations(kind: SqlDialectKind): Record<string, Migration> {
  return {
    '001_campaigns_finance_applications_tokens': {
      async up(db: Kysely<unknown>) {
        await withId(db.schema.createTable('campaigns'), kind)
          .addColumn('name', 'text', (col) => col.notNull())
          .addColumn('description', 'text')
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('created_at', 'text', (col) => col.notNull())
          .addColumn('updated_at', 'text', (col) => col.notNull())
          .execute();
        await withId(db.schema.createTable('finance_applications'), kind)
          .addColumn('campaign_id', 'integer', (col) => col.notNull().references('campaigns.id'))
          .addColumn('applicant_name', 'text', (col) => col.notNull())
          .addColumn('applicant_email', 'text')
          .addColumn('requested_amount', kind === 'sqlite' ? 'real' : 'double precision')
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('submitted_at', 'text')
          .addColumn('created_at', 'text', (col) => col.notNull())
          .addColumn('updated_at', 'text', (col) => col.notNull())
          .execute();
        await db.schema
          .createIndex('finance_applications_campaign_id')
          .on('finance_applications')
          .column('campaign_id')
          .execute();
        await db.schema
          .createTable('oauth_tokens')
          .addColumn('token_hash', 'text', (col) => col.primaryKey())
          .addColumn('client_id', 'text', (col) => col.notNull())
          .addColumn('expires_at', 'text', (col) => col.notNull())
          .addColumn('created_at', 'text', (col) => col.notNull())
          .execute();
        await db.schema
          .createIndex('oauth_tokens_expires_at')
          .on('oauth_tokens')
          .column('expires_at')
          .execute();
      },
    },
  };
}

/** Serves the numbered migrations to kysely's `Migrator`. */
class MockMigrationProvider implements MigrationProvider {
  readonly #kind: SqlDialectKind;
  constructor(kind: SqlDialectKind) {
    this.#kind = kind;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.#kind);
  }
}

/** PostgreSQL errors kysely's introspection hits when another process drops a schema or table meanwhile. */
const CATALOG_RACE_CODES = new Set(['3F000', '42P01']);

function isCatalogRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CATALOG_RACE_CODES.has(code);
}

/**
 * Creates or migrates the mock server's tables (campaigns, finance_applications, oauth_tokens) with kysely's
 * `Migrator`, recording them in `mock_migrations` (in `schema` on PostgreSQL). Safe to run from several
 * processes at once (PostgreSQL takes an advisory lock; SQLite serialises writers). The Migrator lists every
 * table of the database first; when another process drops a schema during that listing PostgreSQL reports
 * the vanished schema, and the migration is simply tried again (a few times).
 *
 * @example
 * await migrateMockTables(db, 'sqlite');
 */
export async function migrateMockTables(
  db: Kysely<unknown>,
  kind: SqlDialectKind,
  schema?: string,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new MockMigrationProvider(kind),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  for (let attempt = 1; ; attempt++) {
    const { error } = await migrator.migrateToLatest();
    if (error === undefined) return;
    if (kind !== 'postgres' || attempt >= 5 || !isCatalogRace(error)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
  }
}
