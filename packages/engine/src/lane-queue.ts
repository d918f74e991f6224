interface Entry<T> {
  seq: number;
  item: T;
}

/** A FIFO of entries with a moving head, compacted now and then so shifting stays O(1) amortised. */
class Fifo<T> {
  private items: Entry<T>[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): Entry<T> | undefined {
    return this.items[this.head];
  }

  push(entry: Entry<T>): void {
    this.items.push(entry);
  }

  shift(): Entry<T> | undefined {
    const entry = this.items[this.head];
    if (entry === undefined) return undefined;
    this.items[this.head] = undefined as unknown as Entry<T>;
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  removeWhere(predicate: (item: T) => boolean): T[] {
    const kept: Entry<T>[] = [];
    const removed: T[] = [];
    for (let index = this.head; index < this.items.length; index++) {
      const entry = this.items[index]!;
      if (predicate(entry.item)) removed.push(entry.item);
      else kept.push(entry);
    }
    this.items = kept;
    this.head = 0;
    return removed;
  }

  drain(): Entry<T>[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

/**
 * A FIFO split into lanes (one per receiver origin): `shift` returns the oldest item among lanes that are
 * open, so work for a saturated origin waits without holding up work for the others.
 *
 * @example
 * const queue = new LaneQueue<string>();
 * queue.push('a', 'https://slow.test');
 * queue.push('b', 'https://fast.test');
 * queue.shift((lane) => lane !== 'https://slow.test'); // 'b'
 */
export class LaneQueue<T> {
  private readonly lanes = new Map<string, Fifo<T>>();
  private seq = 0;
  private count = 0;

  /** Number of items in all lanes. */
  get size(): number {
    return this.count;
  }

  /** Appends `item` to `lane`. */
  push(item: T, lane: string): void {
    let fifo = this.lanes.get(lane);
    if (fifo === undefined) {
      fifo = new Fifo<T>();
      this.lanes.set(lane, fifo);
    }
    fifo.push({ seq: this.seq++, item });
    this.count += 1;
  }

  /** Removes and returns the oldest item whose lane passes `isOpen` (any lane when omitted). */
  shift(isOpen?: (lane: string) => boolean): T | undefined {
    let best: Fifo<T> | undefined;
    let bestLane = '';
    let bestSeq = Number.POSITIVE_INFINITY;
    for (const [lane, fifo] of this.lanes) {
      const head = fifo.peek();
      if (head === undefined || head.seq >= bestSeq) continue;
      if (isOpen !== undefined && !isOpen(lane)) continue;
      best = fifo;
      bestLane = lane;
      bestSeq = head.seq;
    }
    if (best === undefined) return undefined;
    const entry = best.shift()!;
    if (best.length === 0) this.lanes.delete(bestLane);
    this.count -= 1;
    return entry.item;
  }

  /** Removes and returns every item matching `predicate`. */
  removeWhere(predicate: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (const [lane, fifo] of this.lanes) {
      removed.push(...fifo.removeWhere(predicate));
      if (fifo.length === 0) this.lanes.delete(lane);
    }
    this.count -= removed.length;
    return removed;
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const entries: Entry<T>[] = [];
    for (const fifo of this.lanes.values()) entries.push(...fifo.drain());
    this.lanes.clear();
    this.count = 0;
    return entries.sort((a, b) => a.seq - b.seq).map((entry) => entry.item);
  }
}
