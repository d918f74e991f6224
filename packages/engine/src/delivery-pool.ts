import { AbortHandle } from './abort-handle.js';
import type { OriginLimiter } from './http-client.js';

/** Somewhere the pool takes work from: returns the oldest item whose lane (origin) is open. */
export interface WorkSource<T> {
  /** Removes and returns the next item whose origin passes `isOpen`, or undefined. */
  take(isOpen: (origin: string) => boolean): T | undefined;
}

interface Waiter {
  condition: () => boolean;
  resolve: (met: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs work items with at most `concurrency` in flight overall and at most the origin limiter's limit per
 * origin. An item is only taken from its source when its origin has a free slot, so a slow receiver's
 * backlog waits in the queue without occupying the slots other receivers need.
 *
 * @example
 * const pool = new DeliveryPool(32, new OriginLimiter(64), (item) => item.origin, deliver);
 * pool.addSource(queue);
 * pool.pump();
 */
export class DeliveryPool<T> {
  private readonly sources: WorkSource<T>[] = [];
  private readonly running = new Map<T, AbortHandle>();
  private readonly waiters = new Set<Waiter>();
  private nextSource = 0;

  constructor(
    /** Most items in flight at once. */
    readonly concurrency: number,
    private readonly origins: OriginLimiter,
    private readonly originOf: (item: T) => string,
    private readonly run: (item: T, abort: AbortHandle) => Promise<void>,
  ) {}

  /** Items in flight. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Free slots. */
  get free(): number {
    return this.concurrency - this.running.size;
  }

  /** Adds a source; sources are served round-robin. */
  addSource(source: WorkSource<T>): void {
    this.sources.push(source);
  }

  /** Starts items while slots are free and some source has an item for an open origin. */
  pump(): void {
    while (this.running.size < this.concurrency) {
      const item = this.takeNext();
      if (item === undefined) return;
      this.start(item);
    }
  }

  /** Aborts every in-flight item matching `predicate` (all when omitted). */
  abort(predicate: (item: T) => boolean = () => true): void {
    for (const [item, handle] of this.running) if (predicate(item)) handle.abort('shutdown');
  }

  /** True when some in-flight item matches `predicate`. */
  someRunning(predicate: (item: T) => boolean): boolean {
    for (const item of this.running.keys()) if (predicate(item)) return true;
    return false;
  }

  /** Resolves true once `condition()` holds (checked now and after each item finishes), false after `deadlineMs`. */
  waitFor(condition: () => boolean, deadlineMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        condition,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(condition());
        }, deadlineMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Re-checks waiters now (e.g. after a source changed without an item finishing). */
  notify(): void {
    for (const waiter of this.waiters) {
      if (!waiter.condition()) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(true);
    }
  }

  private takeNext(): T | undefined {
    const count = this.sources.length;
    for (let offset = 0; offset < count; offset++) {
      const index = (this.nextSource + offset) % count;
      const item = this.sources[index]!.take(this.origins.isOpen);
      if (item !== undefined) {
        this.nextSource = (index + 1) % count;
        return item;
      }
    }
    return undefined;
  }

  private start(item: T): void {
    const origin = this.originOf(item);
    this.origins.tryAcquire(origin);
    const handle = new AbortHandle();
    this.running.set(item, handle);
    const finished = (): void => {
      this.running.delete(item);
      this.origins.release(origin);
      this.pump();
      this.notify();
    };
    // `run` is not expected to reject; if it does, the slot is freed all the same.
    this.run(item, handle).then(finished, finished);
  }
}
