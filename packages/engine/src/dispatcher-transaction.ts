import type {
  InsertResult,
  NewWebhookEvent,
  StoreTransaction,
  WebhookEvent,
  WebhookStore,
} from '@hooks/core';
import type { EnqueueItem, EnqueueOptions, PreparedEnqueue } from './enqueue-input.js';

/** Enqueueing inside one store transaction: rows commit with the caller's writes and are delivered after. */
export interface DispatcherTransaction {
  /** Stores one event in the transaction (with the dispatcher's rules); it is delivered after the commit. */
  enqueue(eventType: string, payload: unknown, options?: EnqueueOptions): Promise<WebhookEvent>;
  /** Stores many events in the transaction; they are delivered after the commit. */
  enqueueMany(items: readonly EnqueueItem[]): Promise<WebhookEvent[]>;
  /** The store's database handle bound to the transaction (a kysely `Transaction` for SQL stores). */
  readonly db: unknown;
}

/** What a dispatcher transaction needs from its dispatcher. */
export interface TransactionHooks {
  /** The dispatcher's store. */
  readonly store: WebhookStore;
  /** Validates one enqueue and builds its row (target, attempts, skip reason, lease to this dispatcher). */
  prepare(
    eventType: unknown,
    payload: unknown,
    options: EnqueueOptions | undefined,
    prefix?: string,
  ): PreparedEnqueue;
  /** Counts and logs an insert refused for invalid input; returns the error to throw. */
  refused(error: unknown): unknown;
  /** Hands committed rows to delivery (inline in sync mode, the queue in async mode). */
  settle(staged: readonly InsertResult[]): Promise<WebhookEvent[]>;
}

async function insertStaged(
  tx: StoreTransaction,
  hooks: TransactionHooks,
  prepared: readonly PreparedEnqueue[],
  staged: InsertResult[],
): Promise<WebhookEvent[]> {
  const events: NewWebhookEvent[] = prepared.map((entry) => entry.event);
  const results = await tx.insertMany(events).catch((error: unknown) => {
    throw hooks.refused(error);
  });
  staged.push(...results);
  return results.map((result) => result.event);
}

/**
 * Runs `work` in one `store.transaction`: events enqueued through `tx` are stored together with the caller's
 * writes on `tx.db` (or not at all when `work` throws) and handed to delivery only after the commit. A crash
 * between the commit and the hand-off loses nothing: the rows are leased to this dispatcher, the lease
 * expires, and a scheduler delivers them.
 */
export async function runDispatcherTransaction<T>(
  hooks: TransactionHooks,
  work: (tx: DispatcherTransaction) => Promise<T>,
): Promise<T> {
  const staged: InsertResult[] = [];
  const value = await hooks.store.transaction(async (storeTx) => {
    const tx: DispatcherTransaction = {
      db: storeTx.db,
      enqueue: async (eventType, payload, options) =>
        (await insertStaged(storeTx, hooks, [hooks.prepare(eventType, payload, options)], staged))[0]!,
      enqueueMany: (items) =>
        insertStaged(
          storeTx,
          hooks,
          items.map((item, index) =>
            hooks.prepare(item?.eventType, item?.payload, item?.options, `items[${index}].`),
          ),
          staged,
        ),
    };
    return work(tx);
  });
  await hooks.settle(staged);
  return value;
}
