export { migrateSqliteStore, type SqliteMigrationReport } from './sqlite-migrations.js';
export type {
  SqliteDatabaseOptions,
  SqliteFileOptions,
  SqliteKyselyOptions,
  SqliteStoreCommonOptions,
  SqliteStoreOptions,
} from './sqlite-options.js';
export { createSqliteStore } from './sqlite-store.js';
