import {
  type InsertResult,
  InvalidInputError,
  type NewWebhookEvent,
  type PreparedEvent,
  type StoreTransaction,
} from '@hooks/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import { insertEvents } from './postgres-insert.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

/** What a transaction needs from its store. */
export interface TransactionContext {
  /** The Kysely to open the transaction on (the caller's own, plugins included, when the store got `db`). */
  readonly root: Kysely<unknown>;
  /** The store's table names and NOTIFY. */
  readonly context: PostgresContext;
  /** Checks one event (the store's validators); throws `InvalidInputError`. */
  prepare(event: NewWebhookEvent, field: string): PreparedEvent;
  /** Checks a batch (the store's validators); throws `InvalidInputError`. */
  prepareMany(events: readonly NewWebhookEvent[]): PreparedEvent[];
  /** Maps a database failure to a `HooksError`. */
  fail(error: unknown): Error;
}

/** Runs one insert inside a savepoint, so a refused insert (a duplicate id) leaves the transaction usable. */
async function inSavepoint<T>(trx: Transaction<unknown>, run: () => Promise<T>): Promise<T> {
  await sql`savepoint hooks_insert`.execute(trx);
  try {
    const result = await run();
    await sql`release savepoint hooks_insert`.execute(trx);
    return result;
  } catch (error) {
    await sql`rollback to savepoint hooks_insert`.execute(trx);
    throw error;
  }
}

/**
 * Runs `work` in one PostgreSQL transaction: events inserted through `tx` and the caller's writes on `tx.db`
 * (a kysely `Transaction`) commit together, or roll back together when `work` throws. Other instances are
 * NOTIFYed at the commit. What `work` throws is rethrown unchanged; a database failure (BEGIN, COMMIT) is
 * mapped by `fail`. Resolves with the work's value and whether any event row was created.
 */
export async function runPostgresTransaction<T>(
  transaction: TransactionContext,
  work: (tx: StoreTransaction) => Promise<T>,
): Promise<{ value: T; created: boolean }> {
  let created = false;
  let finished = false;
  let workFailed: { error: unknown } | undefined;
  try {
    const value = await transaction.root.transaction().execute(async (trx) => {
      const own = trx.withoutPlugins() as unknown as Kysely<HooksDatabase>;
      const insertAll = async (prepared: PreparedEvent[]): Promise<InsertResult[]> => {
        if (finished) throw new InvalidInputError('the transaction has ended', { details: { field: 'tx' } });
        if (prepared.length === 0) return [];
        try {
          const results = await inSavepoint(trx, () => insertEvents(own, transaction.context, prepared));
          if (results.some((result) => result.created)) created = true;
          return results;
        } catch (error) {
          throw transaction.fail(error);
        }
      };
      const tx: StoreTransaction = {
        insert: async (event: NewWebhookEvent) =>
          (await insertAll([transaction.prepare(event, 'payload')]))[0]!,
        insertMany: async (events: readonly NewWebhookEvent[]) => insertAll(transaction.prepareMany(events)),
        db: trx,
      };
      try {
        return await work(tx);
      } catch (error) {
        workFailed = { error };
        throw error;
      } finally {
        finished = true;
      }
    });
    return { value, created };
  } catch (error) {
    if (workFailed !== undefined) throw workFailed.error;
    throw transaction.fail(error);
  }
}
