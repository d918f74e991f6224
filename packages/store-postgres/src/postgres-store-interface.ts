import type { StoreTransaction, WebhookStore } from '@hooks/core';
import type { Transaction } from 'kysely';

/** A `WebhookStore` on PostgreSQL, with the schema it lives in and a way to wait for its LISTEN connection. */
export interface PostgresStore extends WebhookStore {
  /** Always `postgres`. */
  readonly kind: 'postgres';
  /** The schema holding the store's tables. */
  readonly schema: string;
  /** The NOTIFY channel other instances wake this one on. */
  readonly channel: string;
  /** Resolves once the LISTEN connection opened by `subscribe` is up (at once when there is none). */
  whenListening(): Promise<void>;
  /**
   * Runs `work` in one PostgreSQL transaction (the transactional outbox): events inserted through `tx` and
   * the caller's writes on `tx.db` commit together or not at all. This instance's other operations wait
   * until it ends, so inside `work` use `tx`, never the store itself.
   */
  transaction<T, DB = unknown>(work: (tx: PostgresStoreTransaction<DB>) => Promise<T>): Promise<T>;
}

/** The `tx` of `PostgresStore.transaction`: event inserts plus a kysely `Transaction` for the caller's writes. */
export interface PostgresStoreTransaction<DB = unknown> extends StoreTransaction {
  /** A kysely `Transaction` on the transaction's connection (with the caller's plugins when the store got `db`). */
  readonly db: Transaction<DB>;
}
