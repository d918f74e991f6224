import {
  type CompiledQuery,
  DummyDriver,
  type Expression,
  Kysely,
  type SqlBool,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import type { SqlParam } from './sqlite-executor.js';
import type { SqliteHooksDatabase } from './sqlite-schema.js';

/**
 * A Kysely that only compiles queries (it has no connection): the store builds its dynamic queries with it
 * and runs the SQL through its own executor, whatever plugins a caller's Kysely may carry.
 */
export const queryBuilder = new Kysely<SqliteHooksDatabase>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/**
 * `column = value` for one value (which lets SQLite walk an index on (column, id) in id order), else
 * `column IN (values)` with the values passed as one JSON parameter, so the SQL text (and its cached
 * prepared statement) is the same whatever the number of values.
 */
export function inList(column: string, values: readonly string[]): Expression<SqlBool> {
  if (values.length === 1) return sql<SqlBool>`${sql.ref(column)} = ${values[0]}`;
  return sql<SqlBool>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/** The SQL text and parameters of a compiled query, ready for the executor. */
export function toStatement(query: { compile(): CompiledQuery }): { text: string; params: SqlParam[] } {
  const compiled = query.compile();
  return { text: compiled.sql, params: compiled.parameters as SqlParam[] };
}
