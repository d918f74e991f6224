import type { Database, Statement } from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';

/** SQL parameters: numbers, strings, null (times are integer milliseconds). */
export type SqlParam = string | number | null;

/** One statement a program asks to run: `all` returns rows, `run` the number of changed rows. */
export interface SqlOp {
  /** `all` for statements returning rows (SELECT, RETURNING), `run` for plain writes. */
  readonly kind: 'all' | 'run';
  /** The SQL text. */
  readonly text: string;
  /** Its parameters. */
  readonly params: readonly SqlParam[];
}

/**
 * The store's database work, written once as a generator that yields statements and receives their results.
 * The better-sqlite3 executor runs it synchronously (a transaction never spans an `await`, so several
 * connections in one thread cannot deadlock on SQLite's blocking busy handler); the Kysely executor runs it
 * asynchronously.
 */
export type SqlProgram<T> = Generator<SqlOp, T, unknown>;

/** Runs a statement that returns rows; use with `yield*`. */
export function* all<R>(text: string, params: readonly SqlParam[] = []): SqlProgram<R[]> {
  return (yield { kind: 'all', text, params }) as R[];
}

/** Runs a write and returns how many rows it changed; use with `yield*`. */
export function* run(text: string, params: readonly SqlParam[] = []): SqlProgram<number> {
  return (yield { kind: 'run', text, params }) as number;
}

/** Where the store's SQL runs. */
export interface SqlExecutor {
  /** Runs a program, in a `BEGIN IMMEDIATE` transaction (write lock first) when `transaction` is true. */
  execute<T>(program: () => SqlProgram<T>, transaction: boolean): Promise<T>;
}

type Step<T> = IteratorResult<SqlOp, T>;

const STATEMENT_CACHE_SIZE = 256;

/**
 * Executor over a better-sqlite3 handle, with a bounded cache of prepared statements. Programs run to the end
 * synchronously; transactions use better-sqlite3's `transaction(...).immediate()`.
 */
export class BetterSqliteExecutor implements SqlExecutor {
  readonly #db: Database;
  readonly #statements = new Map<string, Statement>();
  readonly #transaction: { immediate(program: SqlProgram<unknown>): unknown };

  /** Wraps `db` (which the executor never closes). */
  constructor(db: Database) {
    this.#db = db;
    this.#transaction = db.transaction((program: SqlProgram<unknown>) => this.#drive(program));
  }

  /** Runs `program` synchronously and resolves with its result. */
  async execute<T>(program: () => SqlProgram<T>, transaction: boolean): Promise<T> {
    if (!transaction) return this.#drive(program());
    return this.#transaction.immediate(program()) as T;
  }

  #drive<T>(program: SqlProgram<T>): T {
    let step: Step<T> = program.next();
    while (!step.done) {
      const op = step.value;
      let result: unknown;
      try {
        // better-sqlite3 binds an array's elements as the anonymous parameters (no spread per call).
        const statement = this.#prepare(op.text);
        result = op.kind === 'all' ? statement.all(op.params) : statement.run(op.params).changes;
      } catch (error) {
        step = program.throw(error);
        continue;
      }
      step = program.next(result);
    }
    return step.value;
  }

  #prepare(text: string): Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(text, statement);
    }
    return statement;
  }
}

async function query(db: Kysely<unknown>, op: SqlOp): Promise<unknown> {
  const result = await db.executeQuery(CompiledQuery.raw(op.text, [...op.params]));
  return op.kind === 'all' ? result.rows : Number(result.numAffectedRows ?? 0n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `BEGIN IMMEDIATE` on a connection without SQLite's blocking busy handler: while another connection holds
 * the write lock it retries after short asynchronous sleeps (so a holder in this same thread can finish),
 * for as long as the connection's own `busy_timeout`. Then restores that timeout.
 */
export async function beginImmediate(db: Kysely<unknown>): Promise<void> {
  const [setting] = (await query(db, { kind: 'all', text: 'PRAGMA busy_timeout', params: [] })) as {
    timeout?: number;
  }[];
  const timeout = Number(setting?.timeout ?? 0);
  const deadline = Date.now() + timeout;
  await query(db, { kind: 'run', text: 'PRAGMA busy_timeout = 0', params: [] });
  try {
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        await query(db, { kind: 'run', text: 'BEGIN IMMEDIATE', params: [] });
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline)
          throw error;
        await sleep(pause);
      }
    }
  } finally {
    await query(db, { kind: 'run', text: `PRAGMA busy_timeout = ${timeout}`, params: [] });
  }
}

/**
 * Executor over a caller's Kysely (SQLite dialect). Each program holds one connection; a transaction takes
 * the write lock with `beginImmediate`. Its statements are awaited one by one, so a second connection to the
 * same file in this thread may wait on SQLite's busy handler: use one Kysely per file per process.
 */
export class KyselyExecutor implements SqlExecutor {
  readonly #db: Kysely<unknown>;

  /** Wraps `db` (which the executor never destroys). */
  constructor(db: Kysely<unknown>) {
    this.#db = db;
  }

  /** Runs `program` on one connection, awaiting each statement. */
  execute<T>(program: () => SqlProgram<T>, transaction: boolean): Promise<T> {
    return this.#db.connection().execute(async (connection) => {
      if (!transaction) return runProgramOn(connection, program());
      return inImmediateTransaction(connection, () => runProgramOn(connection, program()));
    });
  }
}

/** Runs `program` on `db` (a Kysely bound to one connection), awaiting each statement. */
export async function runProgramOn<T>(db: Kysely<unknown>, running: SqlProgram<T>): Promise<T> {
  let step: Step<T> = running.next();
  while (!step.done) {
    let result: unknown;
    let failure: { error: unknown } | undefined;
    try {
      result = await query(db, step.value);
    } catch (error) {
      failure = { error };
    }
    step = failure === undefined ? running.next(result) : running.throw(failure.error);
  }
  return step.value;
}

/** Runs `work` between `BEGIN IMMEDIATE` and `COMMIT` on `connection`, rolling back if it throws. */
export async function inImmediateTransaction<T>(
  connection: Kysely<unknown>,
  work: () => Promise<T>,
): Promise<T> {
  await beginImmediate(connection);
  try {
    const result = await work();
    await query(connection, { kind: 'run', text: 'COMMIT', params: [] });
    return result;
  } catch (error) {
    await query(connection, { kind: 'run', text: 'ROLLBACK', params: [] }).catch(() => undefined);
    throw error;
  }
}

/** Runs `program` on `db` inside a savepoint, so a failure leaves nothing of it behind in the transaction. */
export async function runProgramInSavepoint<T>(db: Kysely<unknown>, program: SqlProgram<T>): Promise<T> {
  await query(db, { kind: 'run', text: 'SAVEPOINT hooks_program', params: [] });
  try {
    const result = await runProgramOn(db, program);
    await query(db, { kind: 'run', text: 'RELEASE hooks_program', params: [] });
    return result;
  } catch (error) {
    await query(db, { kind: 'run', text: 'ROLLBACK TO hooks_program', params: [] }).catch(() => undefined);
    await query(db, { kind: 'run', text: 'RELEASE hooks_program', params: [] }).catch(() => undefined);
    throw error;
  }
}
