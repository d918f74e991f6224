import { type AttemptOutcome, InvalidInputError, type RecordResult, type WebhookStore } from '@hooks/core';

/** Options of `OutcomeBatcher`. */
export interface OutcomeBatcherOptions {
  /** Where outcomes are written. */
  readonly store: WebhookStore;
  /** Flush as soon as this many outcomes wait (default 100). */
  readonly maxBatch: number;
  /** Flush at most this many milliseconds after the first outcome of a batch arrived (default 5). */
  readonly flushMs: number;
  /** Most writes in flight; meanwhile outcomes accumulate into the next batch (default 2). */
  readonly maxWrites?: number;
  /** Waits between write retries when the store fails, in milliseconds (default 50, 250, 1000). */
  readonly retryDelaysMs?: readonly number[];
  /** Told about each failed write (before a retry, and when giving up). */
  readonly onStoreError?: (error: unknown, willRetry: boolean) => void;
}

/** Told once an outcome is written (`result`) or given up on (`error`). */
export type OutcomeCallback = (result: RecordResult | undefined, error?: unknown) => void;

interface Pending {
  outcome: AttemptOutcome;
  done: OutcomeCallback;
}

/** Rows are never read back: whoever needs one builds it with `settledEvent` from `recordedAt`. */
const NO_EVENTS = Object.freeze({ returnEvents: false });

/** Calls an outcome's callback; what the callback throws must not undo the rest of the batch. */
function settle(item: Pending, result: RecordResult | undefined, error?: unknown): void {
  try {
    item.done(
      result,
      result === undefined ? (error ?? new Error('the store returned no result')) : undefined,
    );
  } catch {
    // The callbacks are the engine's own accounting, which never throws; nothing to undo here.
  }
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

/**
 * Collects attempt outcomes and writes them with one `recordOutcomes` call per batch: when `maxBatch`
 * outcomes wait or `flushMs` after the first one, with at most `maxWrites` writes in flight (group commit:
 * while the store is busy, outcomes pile into the next batch). Each `add` resolves with its `RecordResult`.
 *
 * @example
 * const batcher = new OutcomeBatcher({ store, maxBatch: 100, flushMs: 5 });
 * const { applied } = await batcher.add(outcome);
 * await batcher.flush();
 */
export class OutcomeBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private due = false;
  private readonly writes = new Set<Promise<void>>();
  private readonly options: OutcomeBatcherOptions;

  constructor(options: OutcomeBatcherOptions) {
    this.options = Object.freeze({ ...options });
  }

  /** Outcomes waiting to be written. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Queues one outcome; resolves once it is written (or rejects when the store kept failing). */
  add(outcome: AttemptOutcome): Promise<RecordResult> {
    return new Promise((resolve, reject) => {
      this.submit(outcome, (result, error) => (result === undefined ? reject(error) : resolve(result)));
    });
  }

  /** `add` without a promise: `done` is called once with the result, or with the error when the store kept failing. */
  submit(outcome: AttemptOutcome, done: OutcomeCallback): void {
    this.pending.push({ outcome, done });
    if (this.pending.length >= this.options.maxBatch) this.tryWrite();
    else if (this.timer === undefined && !this.due) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.tryWrite();
      }, this.options.flushMs);
    }
  }

  /** Writes everything waiting now and resolves when every write started so far has finished. */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.writes.size > 0) {
      if (this.pending.length > 0) this.startWrite();
      else await Promise.race(this.writes);
    }
  }

  /** Writes now if a write slot is free; otherwise the batch leaves as soon as a write finishes. */
  private tryWrite(): void {
    if (this.writes.size < (this.options.maxWrites ?? 2)) this.startWrite();
    else this.due = true;
  }

  private startWrite(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.due = false;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.maxBatch);
    // What did not fit leaves as soon as a write finishes; without this it would wait for the next `add`
    // (no timer is armed while writes are saturated), and its rows would stay leased until the lease expires.
    if (this.pending.length > 0) this.due = true;
    const write = this.write(batch).finally(() => {
      this.writes.delete(write);
      if (this.due || this.pending.length >= this.options.maxBatch) this.tryWrite();
    });
    this.writes.add(write);
  }

  private async write(batch: Pending[]): Promise<void> {
    const delays = this.options.retryDelaysMs ?? [50, 250, 1000];
    for (let attempt = 0; ; attempt++) {
      try {
        const results = await this.options.store.recordOutcomes(
          batch.map((item) => item.outcome),
          NO_EVENTS,
        );
        for (let index = 0; index < batch.length; index++) settle(batch[index]!, results[index]);
        return;
      } catch (error) {
        if (InvalidInputError.isInstance(error)) return this.writeOneByOne(batch);
        const willRetry = attempt < delays.length;
        this.options.onStoreError?.(error, willRetry);
        if (!willRetry) {
          for (const item of batch) settle(item, undefined, error);
          return;
        }
        await sleep(delays[attempt]!);
      }
    }
  }

  private async writeOneByOne(batch: Pending[]): Promise<void> {
    for (const item of batch) {
      let result: RecordResult;
      try {
        result = await this.options.store.recordOutcome(item.outcome);
      } catch (error) {
        settle(item, undefined, error);
        continue;
      }
      settle(item, result);
    }
  }
}
