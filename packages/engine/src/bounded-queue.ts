import { LaneQueue } from './lane-queue.js';

/** What the queue does when it is full. */
export type QueuePolicy = 'drop_oldest' | 'drop_new' | 'block';

/** Every queue policy. */
export const QUEUE_POLICIES: readonly QueuePolicy[] = Object.freeze(['drop_oldest', 'drop_new', 'block']);

/** Options of a `BoundedQueue`. */
export interface BoundedQueueOptions {
  /** Most items held at once (at least 1). */
  readonly capacity: number;
  /** What to do when full. */
  readonly policy: QueuePolicy;
  /** How long `block` waits for room before giving up, in milliseconds. */
  readonly blockTimeoutMs: number;
}

/** What `offer` did. */
export type OfferResult<T> =
  | { accepted: true; evicted?: T }
  | { accepted: false; reason: 'full' | 'timeout' | 'closed' };

interface Waiter<T> {
  item: T;
  lane: string;
  resolve: (result: OfferResult<T>) => void;
  /** When this offer gives up (`performance.now()` time). */
  deadline: number;
}

/**
 * A bounded, lane-aware FIFO. When full: `drop_oldest` evicts the oldest item (returned as `evicted`),
 * `drop_new` refuses the new one, `block` waits up to `blockTimeoutMs` for room and then refuses it.
 *
 * @example
 * const queue = new BoundedQueue<string>({ capacity: 2, policy: 'drop_oldest', blockTimeoutMs: 5000 });
 * queue.offer('a', 'lane'); queue.offer('b', 'lane');
 * queue.offer('c', 'lane'); // { accepted: true, evicted: 'a' }
 */
export class BoundedQueue<T> {
  /** The options the queue was made with. */
  readonly options: BoundedQueueOptions;
  private readonly items = new LaneQueue<T>();
  /** Blocked offers, oldest first: admitted and timed out in this order (they all wait `blockTimeoutMs`). */
  private readonly waiters: Waiter<T>[] = [];
  /** One timer for the oldest blocked offer's deadline (not one per offer). */
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: BoundedQueueOptions) {
    this.options = Object.freeze({ ...options });
  }

  /** Items waiting in the queue (blocked offers not included). */
  get size(): number {
    return this.items.size;
  }

  /** Offers blocked on a full queue (policy `block`). */
  get blocked(): number {
    return this.waiters.length;
  }

  /** Adds `item` to `lane` according to the policy; a `block` offer on a full queue returns a promise. */
  offer(item: T, lane: string): OfferResult<T> | Promise<OfferResult<T>> {
    if (this.closed) return { accepted: false, reason: 'closed' };
    if (this.items.size < this.options.capacity) {
      this.items.push(item, lane);
      return { accepted: true };
    }
    if (this.options.policy === 'drop_new') return { accepted: false, reason: 'full' };
    if (this.options.policy === 'drop_oldest') {
      const evicted = this.items.shift();
      this.items.push(item, lane);
      return evicted === undefined ? { accepted: true } : { accepted: true, evicted };
    }
    return new Promise((resolve) => {
      this.waiters.push({ item, lane, resolve, deadline: performance.now() + this.options.blockTimeoutMs });
      this.armTimer();
    });
  }

  /** Arms the timer for the oldest blocked offer, unless it is armed already. */
  private armTimer(): void {
    if (this.timer !== undefined || this.waiters.length === 0) return;
    const wait = Math.max(1, Math.ceil(this.waiters[0]!.deadline - performance.now()));
    this.timer = setTimeout(this.expire, wait);
  }

  /** Refuses the blocked offers whose deadline has passed (they are the oldest), then re-arms. */
  private readonly expire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    while (this.waiters.length > 0 && this.waiters[0]!.deadline <= now) {
      this.waiters.shift()!.resolve({ accepted: false, reason: 'timeout' });
    }
    this.armTimer();
  };

  /** Removes and returns the oldest item whose lane passes `isOpen`; lets one blocked offer in. */
  take(isOpen?: (lane: string) => boolean): T | undefined {
    const item = this.items.shift(isOpen);
    if (item !== undefined) this.admitWaiter();
    return item;
  }

  /** Removes and returns every item matching `predicate`. */
  removeWhere(predicate: (item: T) => boolean): T[] {
    const removed = this.items.removeWhere(predicate);
    for (let index = 0; index < removed.length; index++) this.admitWaiter();
    return removed;
  }

  /** Refuses blocked and future offers (`closed`) and returns the items still queued, oldest first. */
  close(): T[] {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ accepted: false, reason: 'closed' });
    return this.items.drain();
  }

  private admitWaiter(): void {
    // The timer stays armed for this offer's deadline (when it fires it re-arms for the next one), unless
    // no offer waits any more: then nothing is left to time out (and no timer keeps the process alive).
    const waiter = this.waiters.shift();
    if (waiter === undefined) return;
    if (this.waiters.length === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.items.push(waiter.item, waiter.lane);
    waiter.resolve({ accepted: true });
  }
}
