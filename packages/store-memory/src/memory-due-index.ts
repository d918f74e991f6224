import type { MemoryRow } from './memory-rows.js';

/** One filing of a row in the heap; superseded (stale) once the row is filed again or removed. */
interface Entry {
  readonly row: MemoryRow;
  /** When the row becomes claimable, in ms. */
  readonly at: number;
}

/** When a pending row with attempts left becomes claimable: its due time, or the end of its lease if later. */
function availableAt(row: MemoryRow): number | undefined {
  if (row.status !== 'pending' || row.attempts >= row.maxAttempts) return undefined;
  const due = (row.nextRetryAt ?? row.insertedAt).getTime();
  const leasedUntil = row.lockedUntil?.getTime() ?? 0;
  return Math.max(leasedUntil, due);
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.row.id < b.row.id);
}

function dueTime(row: MemoryRow): number {
  return (row.nextRetryAt ?? row.insertedAt).getTime();
}

/**
 * The memory store's claim index: pending rows with attempts left in a min-heap by (available-at, id), where
 * available-at is the due time or, while leased, the end of the lease (like the SQL stores' partial index on
 * `available_at`). Claiming pops only rows that are claimable by then, so it costs O((limit + skipped) log n)
 * whatever the number of delivered, failed or leased rows the store keeps. Entries are superseded lazily:
 * `file` adds a new entry and the old one is skipped when it surfaces; the heap is rebuilt when stale entries
 * outnumber live ones.
 *
 * @example
 * const index = new DueIndex();
 * index.file(row); // after every change to a row's status, attempts, due time or lease
 * const rows = index.select(now, Math.max(now.getTime(), Date.now()), 100, isDue);
 */
export class DueIndex {
  readonly #heap: Entry[] = [];
  /** The live entry of each filed row, by id. */
  readonly #current = new Map<string, Entry>();

  /** Rows filed (pending with attempts left). */
  get size(): number {
    return this.#current.size;
  }

  /** Files `row` again after a change to its status, attempts, due time or lease (or drops it if settled). */
  file(row: MemoryRow): void {
    const at = availableAt(row);
    const current = this.#current.get(row.id);
    if (at === undefined) {
      if (current !== undefined) this.#current.delete(row.id);
      return;
    }
    if (current !== undefined && current.at === at && current.row === row) return;
    const entry: Entry = { row, at };
    this.#current.set(row.id, entry);
    this.#push(entry);
    if (this.#heap.length > 2 * this.#current.size + 1024) this.#rebuild();
  }

  /** Forgets a deleted row. */
  remove(id: string): void {
    this.#current.delete(id);
  }

  /**
   * Up to `limit` rows for which `isDue(row)` holds, taken in (available-at, id) order among rows available
   * by `bound` (ms), then sorted by (`nextRetryAt` ?? `insertedAt`, id). Changes nothing: the caller files
   * the rows it leases.
   */
  select(bound: number, limit: number, isDue: (row: MemoryRow) => boolean): MemoryRow[] {
    const picked: MemoryRow[] = [];
    const seen: Entry[] = [];
    const heap = this.#heap;
    while (heap.length > 0 && picked.length < limit && heap[0]!.at <= bound) {
      const top = this.#pop();
      if (this.#current.get(top.row.id) !== top) continue;
      seen.push(top);
      if (isDue(top.row)) picked.push(top.row);
    }
    for (const entry of seen) this.#push(entry);
    return picked.sort((a, b) => dueTime(a) - dueTime(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #rebuild(): void {
    const heap = this.#heap;
    heap.length = 0;
    for (const entry of this.#current.values()) heap.push(entry);
    for (let index = (heap.length >> 1) - 1; index >= 0; index--) this.#down(index);
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    let index = heap.push(entry) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#down(0);
    }
    return top;
  }

  #down(start: number): void {
    const heap = this.#heap;
    const entry = heap[start]!;
    const length = heap.length;
    let index = start;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      if (child + 1 < length && before(heap[child + 1]!, heap[child]!)) child += 1;
      if (!before(heap[child]!, entry)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = entry;
  }
}
