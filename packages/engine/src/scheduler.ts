import type { Unsubscribe, WebhookEvent, WebhookStore } from '@hooks/core';
import type { DeliveryPool, WorkSource } from './delivery-pool.js';
import { LaneQueue } from './lane-queue.js';
import type { Logger } from './logger.js';
import type { WorkItem } from './work-item.js';

/** What a scheduler needs from its dispatcher. */
export interface SchedulerContext {
  /** Where due rows are claimed. */
  readonly store: WebhookStore;
  /** The claiming worker. */
  readonly workerId: string;
  /** Lease length for claimed rows. */
  readonly leaseMs: number;
  /** Most rows per claim. */
  readonly batchSize: number;
  /** Fallback poll interval. */
  readonly pollIntervalMs: number;
  /** Longest backoff while the store is unavailable. */
  readonly maxBackoffMs: number;
  /** The engine's notion of now (passed to claims). */
  readonly clock: () => Date;
  /** Where to log. */
  readonly logger: Logger;
  /** Runs the attempts. */
  readonly pool: DeliveryPool<WorkItem>;
  /** Turns a claimed row into a work item. */
  readonly toItem: (row: WebhookEvent) => WorkItem;
  /** Gives leases back (rows claimed but not attempted at stop). */
  readonly release: (ids: readonly string[]) => Promise<void>;
  /** Counts a failed store call. */
  readonly onStoreError: () => void;
  /** Resolves once the outcomes of finished attempts are written. */
  readonly outcomesWritten: () => Promise<void>;
  /** Most outcomes written per batch: claimed rows may also wait this many for their outcome write. */
  readonly outcomeBatchSize: number;
}

/** Options of `Scheduler.stop`. */
export interface StopOptions {
  /** How long in-flight attempts may run before they are aborted and their leases released (default 5000 ms). */
  deadlineMs?: number;
}

/** A gap after an empty claim during which wake-ups are coalesced, in milliseconds. */
const IDLE_CLAIM_GAP_MS = 50;

/**
 * The claim loop: leases due rows in batches (`claimDue`), hands them to the delivery pool, wakes on
 * store notifications and in-process signals (polling as a fallback), backs off while the store is
 * unavailable (never crashing), and on `stop` lets in-flight attempts finish within a deadline, aborts
 * the rest and releases the leases it cannot finish.
 *
 * @example
 * const scheduler = new Scheduler(context);
 * scheduler.start();
 * await scheduler.stop({ deadlineMs: 5000 });
 */
export class Scheduler implements WorkSource<WorkItem> {
  private readonly buffer = new LaneQueue<WorkItem>();
  private readonly outstanding = new Set<WorkItem>();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private unsubscribe: Unsubscribe | undefined;
  private wakeRequested = false;
  private signal: ((kind: 'work' | 'slot' | 'stop') => void) | undefined;
  private lastClaimEmptyAt = 0;

  constructor(private readonly context: SchedulerContext) {}

  /** True between `start` and `stop`. */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Most claimed rows held at once until their outcome is written: twice the pool's concurrency (attempts in
   * flight and rows ready for the next free slot) plus one outcome batch. This bounds both memory and what a
   * crash can send twice (rows attempted but not yet recorded), and slows claiming when writes fall behind.
   */
  private get maxOutstanding(): number {
    return this.context.pool.concurrency * 2 + this.context.outcomeBatchSize;
  }

  /** Starts the claim loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    try {
      this.unsubscribe = this.context.store.subscribe(() => this.wake());
    } catch (error) {
      this.context.logger.warn(
        { error: String(error) },
        'scheduler could not subscribe to the store; polling only',
      );
    }
    this.context.logger.info({ workerId: this.context.workerId }, 'scheduler started');
    this.loopDone = this.loop();
  }

  /** Asks the loop to claim again soon (new work may be due). */
  wake(): void {
    this.wakeRequested = true;
    this.signal?.('work');
  }

  /** Source for the pool: the oldest claimed row whose origin has a free slot. */
  take(isOpen: (origin: string) => boolean): WorkItem | undefined {
    return this.buffer.shift(isOpen);
  }

  /** Called by the dispatcher when an item of this scheduler finished: its outcome written, or it was lost or released. */
  finished(item: WorkItem): void {
    if (!this.outstanding.delete(item)) return;
    if (this.outstanding.size < this.maxOutstanding) this.signal?.('slot');
    this.context.pool.notify();
  }

  /**
   * Claims due rows once (at most `limit`, as of `now`), delivers them and resolves with how many were
   * claimed once every outcome is recorded. Works whether or not the loop runs.
   */
  async runOnce(options: { now?: Date; limit?: number } = {}): Promise<number> {
    const limit = Math.max(1, Math.min(options.limit ?? this.context.batchSize, 1000));
    const rows = await this.context.store.claimDue({
      workerId: this.context.workerId,
      limit,
      leaseMs: this.context.leaseMs,
      now: options.now ?? this.context.clock(),
    });
    const items = this.accept(rows);
    await this.context.pool.waitFor(() => items.every((item) => !this.outstanding.has(item)), 24 * 3_600_000);
    await this.context.outcomesWritten();
    return rows.length;
  }

  /** Stops claiming, releases claimed rows not yet started, and lets in-flight attempts finish by the deadline. */
  async stop(options: StopOptions = {}): Promise<void> {
    const deadlineMs = options.deadlineMs ?? 5000;
    if (this.running) {
      this.running = false;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.signal?.('stop');
      await this.loopDone;
    }
    const waiting = this.buffer.drain();
    for (const item of waiting) this.outstanding.delete(item);
    if (waiting.length > 0) await this.context.release(waiting.map((item) => item.row.id));
    const pool = this.context.pool;
    const mine = (item: WorkItem): boolean => this.outstanding.has(item);
    if (!(await pool.waitFor(() => !pool.someRunning(mine), deadlineMs))) {
      pool.abort(mine);
      await pool.waitFor(() => !pool.someRunning(mine), 2000);
    }
    this.context.logger.info({ workerId: this.context.workerId }, 'scheduler stopped');
  }

  private accept(rows: readonly WebhookEvent[]): WorkItem[] {
    const items = rows.map((row) => this.context.toItem(row));
    for (const item of items) {
      this.outstanding.add(item);
      this.buffer.push(item, item.origin);
    }
    if (items.length > 0) this.context.pool.pump();
    return items;
  }

  private async loop(): Promise<void> {
    const { store, workerId, leaseMs, batchSize, pollIntervalMs, maxBackoffMs, clock, logger } = this.context;
    let backoffMs = pollIntervalMs;
    while (this.running) {
      const room = Math.min(batchSize, this.maxOutstanding - this.outstanding.size);
      if (room <= 0) {
        await this.sleep(pollIntervalMs, 'slot');
        continue;
      }
      this.wakeRequested = false;
      let rows: WebhookEvent[];
      try {
        rows = await store.claimDue({ workerId, limit: room, leaseMs, now: clock() });
        backoffMs = pollIntervalMs;
      } catch (error) {
        this.context.onStoreError();
        logger.warn(
          { error: error instanceof Error ? error.message : String(error), retryInMs: backoffMs },
          'scheduler could not claim due events; retrying',
        );
        await this.sleep(backoffMs, 'none');
        backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
        continue;
      }
      if (!this.running) {
        if (rows.length > 0) await this.context.release(rows.map((row) => row.id));
        break;
      }
      if (rows.length > 0) logger.debug({ claimed: rows.length }, 'scheduler claimed due events');
      this.accept(rows);
      if (rows.length === room) continue;
      if (rows.length === 0) this.lastClaimEmptyAt = Date.now();
      await this.sleep(pollIntervalMs);
      const gap = this.lastClaimEmptyAt + IDLE_CLAIM_GAP_MS - Date.now();
      if (rows.length === 0 && gap > 0) await this.sleep(gap, 'none');
    }
  }

  /**
   * Waits up to `ms`. `work` ends early on a wake-up (new work may be due) or a freed slot; `slot` only on a
   * freed slot; `none` only on stop. Stopping always ends the wait. Never resolves synchronously in a loop:
   * a pending wake-up is consumed here, so the loop cannot spin without yielding to I/O.
   */
  private sleep(ms: number, until: 'work' | 'slot' | 'none' = 'work'): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (until === 'work' && this.wakeRequested) {
      this.wakeRequested = false;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.signal = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal = (kind) => {
        const ends =
          kind === 'stop' || !this.running || (kind === 'slot' ? until !== 'none' : until === 'work');
        if (ends) done();
      };
    });
  }
}
