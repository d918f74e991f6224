export { migratePostgresStore } from './postgres-migrations.js';
export type {
  PostgresConnectionStringOptions,
  PostgresKyselyOptions,
  PostgresPoolOptions,
  PostgresStoreCommonOptions,
  PostgresStoreOptions,
} from './postgres-options.js';
export type { HooksAttemptsTable, HooksDatabase, HooksEventsTable } from './postgres-schema.js';
export { createPostgresStore } from './postgres-store.js';
export type { PostgresStore, PostgresStoreTransaction } from './postgres-store-interface.js';
