import {
  type InsertResult,
  InvalidInputError,
  type NewWebhookEvent,
  type PreparedEvent,
  prepareNewEvent,
  prepareNewEvents,
  type StoreTransaction,
} from '@hooks/core';
import type { Kysely } from 'kysely';
import { toHooksError } from './sqlite-errors.js';
import { inImmediateTransaction, runProgramInSavepoint } from './sqlite-executor.js';
import { insertEvents } from './sqlite-insert.js';
import type { SqliteTableNames } from './sqlite-schema.js';

/** What a store transaction needs from its store. */
export interface TransactionContext {
  /** Kysely over the store's connection. */
  readonly kysely: Kysely<unknown>;
  /** The store's table names. */
  readonly names: SqliteTableNames;
  /** The store's clock. */
  now(): Date;
  /** The payload cap. */
  readonly maxPayloadBytes: number;
}

/** What a finished transaction did: the work's result and whether any event row was created. */
export interface TransactionResult<T> {
  /** The work's result. */
  value: T;
  /** True when at least one event row was created (listeners are told after the commit). */
  created: boolean;
}

/** Wraps what the caller's work threw, so it is rethrown unchanged rather than mapped to a store error. */
export class WorkFailure {
  /** What the work threw. */
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/**
 * Runs `work` in one `BEGIN IMMEDIATE` transaction on the store's connection: event inserts through `tx` and the
 * caller's writes on `tx.db` commit together, or roll back together when `work` throws. What `work` throws is
 * rethrown wrapped in a `WorkFailure`; anything else comes from the database.
 */
export async function runSqliteTransaction<T>(
  context: TransactionContext,
  work: (tx: StoreTransaction) => Promise<T>,
): Promise<TransactionResult<T>> {
  if (typeof work !== 'function') {
    throw new InvalidInputError('work must be a function', { details: { field: 'work' } });
  }
  let created = false;
  let finished = false;
  const value = await context.kysely.connection().execute((connection) =>
    inImmediateTransaction(connection, async () => {
      const insertAll = async (prepared: PreparedEvent[]): Promise<InsertResult[]> => {
        if (finished) throw new InvalidInputError('the transaction has ended', { details: { field: 'tx' } });
        if (prepared.length === 0) return [];
        try {
          const results = await runProgramInSavepoint(connection, insertEvents(context.names, prepared));
          if (results.some((result) => result.created)) created = true;
          return results;
        } catch (error) {
          throw toHooksError(error, 'transaction.insert');
        }
      };
      const tx: StoreTransaction = {
        insert: async (event: NewWebhookEvent) =>
          (await insertAll([prepareNewEvent(event, context.now(), context.maxPayloadBytes)]))[0]!,
        insertMany: async (events: readonly NewWebhookEvent[]) =>
          insertAll(prepareNewEvents(events, context.now(), context.maxPayloadBytes)),
        db: connection,
      };
      try {
        return await work(tx);
      } catch (error) {
        throw new WorkFailure(error);
      } finally {
        finished = true;
      }
    }),
  );
  return { value, created };
}
