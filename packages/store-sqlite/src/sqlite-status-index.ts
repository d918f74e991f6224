import { type Expression, type Kysely, type Migration, type SqlBool, sql } from 'kysely';
import type { SqliteTableNames } from './sqlite-schema.js';

/*
 * The status index holds only rows that are not delivered (migration 0004). Delivered is where nearly every
 * row ends, and the entry it used to get cost each outcome an index insert and its commit more pages. Queries
 * on pending, failed or skipped rows still walk it in id order; a query that wants delivered rows reads the
 * table (in id order when it lists, which finds delivered rows at once while they are the common case).
 *
 * SQLite uses a partial index only when the query's WHERE contains the index's condition as it is written,
 * so every query that may use the index adds `NOT_DELIVERED` itself (`statusIndexTerm`).
 */

/** The status index's condition, written exactly as queries repeat it. */
export const NOT_DELIVERED = "status <> 'delivered'";

/** The status index's name for a table prefix. */
export function statusIndex(names: SqliteTableNames): string {
  return `${names.prefix}events_status_idx`;
}

/**
 * The status index's condition as a query term when `statuses` leave delivered out (so the query may walk
 * the partial index); undefined when they include it.
 */
export function statusIndexTerm(statuses: readonly string[]): Expression<SqlBool> | undefined {
  return statuses.includes('delivered') ? undefined : sql<SqlBool>`${sql.raw(NOT_DELIVERED)}`;
}

/** Migration 0004: the status index becomes partial, for rows that are not delivered. */
export function partialStatusIndexMigration(names: SqliteTableNames): Migration {
  const index = statusIndex(names);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex(index).execute();
      await sql`CREATE INDEX ${sql.id(index)} ON ${sql.id(names.events)} (status, id) WHERE ${sql.raw(NOT_DELIVERED)}`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex(index).execute();
      await db.schema.createIndex(index).on(names.events).columns(['status', 'id']).execute();
    },
  };
}
