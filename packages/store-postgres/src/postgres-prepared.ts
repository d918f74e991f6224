import { createHash } from 'node:crypto';
import {
  CompiledQuery,
  type Kysely,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type RawBuilder,
} from 'kysely';
import type pg from 'pg';

/*
 * The statements every delivered event runs (insertMany's INSERT, recordOutcomes' UPDATE) are compiled once
 * per store and, on pools the store reaches (connectionString, pool), sent as named prepared statements:
 * PostgreSQL parses, analyses and plans each once per connection instead of once per batch. Their plans do
 * not depend on the parameter values (one JSONB batch, a NOTIFY channel), so the cached plan is the one a
 * fresh plan would be.
 */

/** Text of every registered statement -> its prepared statement name (`hooks_` and a hash of the text). */
const preparedNames = new Map<string, string>();

/** A statement compiled once: its SQL text and the parameters that follow the per-call ones. */
export interface HotStatement {
  /** The SQL text; `$1` .. `$n` are the per-call values. */
  readonly text: string;
  /** The parameters after the per-call ones, fixed for the store (its NOTIFY channel and instance id). */
  readonly rest: readonly unknown[];
}

function compileHot<DB>(
  db: Kysely<DB>,
  perCall: number,
  build: (...values: unknown[]) => RawBuilder<unknown>,
): HotStatement {
  const placeholders = Array.from({ length: perCall }, () => Object.freeze({}));
  const compiled = build(...placeholders).compile(db);
  if (placeholders.some((placeholder, index) => compiled.parameters[index] !== placeholder)) {
    throw new Error('a hot statement must take its per-call values as its first parameters');
  }
  if (!preparedNames.has(compiled.sql)) {
    const hash = createHash('sha256').update(compiled.sql).digest('hex').slice(0, 32);
    preparedNames.set(compiled.sql, `hooks_${hash}`);
  }
  return Object.freeze({ text: compiled.sql, rest: Object.freeze(compiled.parameters.slice(perCall)) });
}

/**
 * Declares a hot statement: `build(context, ...values)` with `perCall` values that must come first, in
 * order, among its parameters. Returns a lookup that compiles it once per context (store) and registers the
 * text, so pools wrapped by `preparingPool` send it as a named prepared statement.
 *
 * @example
 * const countStatement = hotStatement(1, (context: PostgresContext, id) => sql`select ${id}::text`);
 * const rows = await runHot(db, countStatement(db, context), ['evt_1']);
 */
export function hotStatement<C extends object>(
  perCall: number,
  build: (context: C, ...values: unknown[]) => RawBuilder<unknown>,
): <DB>(db: Kysely<DB>, context: C) => HotStatement {
  const compiled = new WeakMap<C, HotStatement>();
  return (db, context) => {
    let statement = compiled.get(context);
    if (statement === undefined) {
      statement = compileHot(db, perCall, (...values) => build(context, ...values));
      compiled.set(context, statement);
    }
    return statement;
  };
}

/** Runs a hot statement with `values` as `$1` .. `$n` (in a transaction when `db` is one); resolves with its rows. */
export async function runHot<R>(
  db: Pick<Kysely<unknown>, 'executeQuery'>,
  statement: HotStatement,
  values: readonly unknown[],
): Promise<R[]> {
  const result = await db.executeQuery<R>(CompiledQuery.raw(statement.text, [...values, ...statement.rest]));
  return result.rows;
}

/** A pg client as kysely sees it, sending registered statements as named prepared statements. */
class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  // biome-ignore lint/suspicious/noExplicitAny: kysely's overloads (a query, or a cursor it never uses here)
  query(sqlOrCursor: any, parameters?: ReadonlyArray<unknown>): any {
    if (typeof sqlOrCursor !== 'string') return this.#client.query(sqlOrCursor);
    const values = parameters as unknown[];
    const name = preparedNames.get(sqlOrCursor);
    return name === undefined
      ? (this.#client.query(sqlOrCursor, values) as unknown as Promise<PostgresQueryResult<unknown>>)
      : this.#client.query({ name, text: sqlOrCursor, values });
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy);
  }
}

/**
 * Wraps a pg.Pool for kysely so the statements registered by `compileHot` go out as named prepared statements
 * (prepared once per connection); every other query goes out as before. Ending it ends the pool.
 *
 * @example
 * const db = new Kysely({ dialect: new PostgresDialect({ pool: preparingPool(new pg.Pool({ connectionString })) }) });
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PreparingClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (wrapped === undefined) {
        wrapped = new PreparingClient(client);
        clients.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}
