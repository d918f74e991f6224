import {
  ConflictError,
  type InsertResult,
  InvalidInputError,
  type NewWebhookEvent,
  type WebhookStore,
} from '@hooks/core';

/** Options of `InsertBatcher`. */
export interface InsertBatcherOptions {
  /** Where rows are inserted. */
  readonly store: WebhookStore;
  /** Most events per `insertMany` (default 500). */
  readonly maxBatch?: number;
  /** Most writes in flight at once; further inserts wait and go out together (default 2). */
  readonly maxWrites?: number;
}

interface Pending {
  event: NewWebhookEvent;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for `enqueue`: inserts made in one turn of the event loop leave together in one `insertMany`
 * (one transaction) on the next turn, and while `maxWrites` writes are in flight the rest wait and leave
 * together when one finishes. A lone insert waits one turn at most; under load the store sees few large
 * transactions instead of many single-row ones. Each `add` resolves with its own row. A batch refused for invalid input or a conflict is
 * retried one by one, so only the offending event fails.
 *
 * @example
 * const batcher = new InsertBatcher({ store });
 * const { event, created } = await batcher.add({ eventType: 'order.paid', payload: {}, targetUrl });
 */
export class InsertBatcher {
  private pending: Pending[] = [];
  private writes = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxWrites: number;

  constructor(private readonly options: InsertBatcherOptions) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxWrites = options.maxWrites ?? 2;
  }

  /** Inserts one event (possibly with others); resolves with its row once it is stored. */
  add(event: NewWebhookEvent): Promise<InsertResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      this.schedule();
    });
  }

  /** Starts a write on the next turn of the event loop, so every insert made in this turn joins it. */
  private schedule(): void {
    if (this.scheduled || this.writes >= this.maxWrites || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startWrite();
    });
  }

  private startWrite(): void {
    if (this.pending.length === 0 || this.writes >= this.maxWrites) return;
    const batch = this.pending.length <= this.maxBatch ? this.pending : this.pending.slice(0, this.maxBatch);
    this.pending = batch === this.pending ? [] : this.pending.slice(this.maxBatch);
    this.writes += 1;
    void this.write(batch).finally(() => {
      this.writes -= 1;
      this.schedule();
    });
    this.schedule();
  }

  private async write(batch: Pending[]): Promise<void> {
    const { store } = this.options;
    if (batch.length === 1) {
      const only = batch[0]!;
      await store.insert(only.event).then(only.resolve, only.reject);
      return;
    }
    try {
      const results = await store.insertMany(batch.map((item) => item.event));
      for (const [index, item] of batch.entries()) item.resolve(results[index]!);
    } catch (error) {
      if (!InvalidInputError.isInstance(error) && !ConflictError.isInstance(error)) {
        for (const item of batch) item.reject(error);
        return;
      }
      for (const item of batch) await store.insert(item.event).then(item.resolve, item.reject);
    }
  }
}
