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
 * per store, so kysely does not build and compile them per batch. On pools the store reaches
 * (connectionString, pool) the INSERT also goes out as a named prepared statement: PostgreSQL parses,
 * analyses and plans it once per connection instead of once per batch. Only a statement whose plan cannot
 * depend on the table's size may be prepared: PostgreSQL keeps a prepared statement's generic plan until
 * the table's statistics change, so a plan chosen while the table was tiny (a sequential scan) would stay
 * when it has millions of rows. The INSERT reads no table (its conflict check is an index probe); the
 * outcome UPDATE looks rows up, so it stays unnamed and is planned on each run.
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
  { perCall, prepare }: { perCall: number; prepare: boolean },
  build: (...values: unknown[]) => RawBuilder<unknown>,
): HotStatement {
  const placeholders = Array.from({ length: perCall }, () => Object.freeze({}));
  const compiled = build(...placeholders).compile(db);
  if (placeholders.some((placeholder, index) => compiled.parameters[index] !== placeholder)) {
    throw new Error('a hot statement must take its per-call values as its first parameters');
  }
  if (prepare && !preparedNames.has(compiled.sql)) {
    const hash = createHash('sha256').update(compiled.sql).digest('hex').slice(0, 32);
    preparedNames.set(compiled.sql, `hooks_${hash}`);
  }
  return Object.freeze({ text: compiled.sql, rest: Object.freeze(compiled.parameters.slice(perCall)) });
}

/**
 * Declares a hot statement: `build(context, ...values)` with `perCall` values that must come first, in
 * order, among its parameters. Returns a lookup that compiles it once per context (store). With `prepare`
 * the text is registered, so pools wrapped by `preparingPool` send it as a named prepared statement: only
 * for a statement whose plan cannot depend on table sizes (see above).
 *
 * @example
 * const echo = hotStatement({ perCall: 1, prepare: true }, (context: PostgresContext, id) => sql`select ${id}::text`);
 * const rows = await runHot(db, echo(db, context), ['evt_1']);
 */
export function hotStatement<C extends object>(
  options: { perCall: number; prepare: boolean },
  build: (context: C, ...values: unknown[]) => RawBuilder<unknown>,
): <DB>(db: Kysely<DB>, context: C) => HotStatement {
  const compiled = new WeakMap<C, HotStatement>();
  return (db, context) => {
    let statement = compiled.get(context);
    if (statement === undefined) {
      statement = compileHot(db, options, (...values) => build(context, ...values));
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
 * Wraps a pg.Pool for kysely so the statements registered by `hotStatement` go out as named prepared statements
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
