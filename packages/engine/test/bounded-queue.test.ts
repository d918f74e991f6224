import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../src/bounded-queue.js';
import { LaneQueue } from '../src/lane-queue.js';
import { LatencyReservoir } from '../src/latency-reservoir.js';

describe('LaneQueue', () => {
  it('returns the oldest item among open lanes', () => {
    const queue = new LaneQueue<string>();
    queue.push('slow-1', 'slow');
    queue.push('fast-1', 'fast');
    queue.push('slow-2', 'slow');
    queue.push('fast-2', 'fast');
    expect(queue.shift((lane) => lane !== 'slow')).toBe('fast-1');
    expect(queue.shift((lane) => lane !== 'slow')).toBe('fast-2');
    expect(queue.shift((lane) => lane !== 'slow')).toBeUndefined();
    expect(queue.size).toBe(2);
    expect(queue.shift()).toBe('slow-1');
    expect(queue.drain()).toEqual(['slow-2']);
    expect(queue.size).toBe(0);
  });

  it('keeps FIFO order over many items and removes by predicate', () => {
    const queue = new LaneQueue<number>();
    for (let index = 0; index < 5000; index++) queue.push(index, `lane-${index % 3}`);
    const taken: number[] = [];
    for (let index = 0; index < 2500; index++) taken.push(queue.shift()!);
    expect(taken).toEqual(Array.from({ length: 2500 }, (_, index) => index));
    expect(queue.removeWhere((item) => item % 2 === 0)).toHaveLength(1250);
    expect(queue.size).toBe(1250);
    expect(queue.shift()).toBe(2501);
  });
});

describe('BoundedQueue', () => {
  it('drop_oldest evicts the oldest item and accepts the new one', () => {
    const queue = new BoundedQueue<string>({ capacity: 2, policy: 'drop_oldest', blockTimeoutMs: 10 });
    expect(queue.offer('a', 'x')).toEqual({ accepted: true });
    expect(queue.offer('b', 'y')).toEqual({ accepted: true });
    expect(queue.offer('c', 'x')).toEqual({ accepted: true, evicted: 'a' });
    expect(queue.size).toBe(2);
    expect(queue.take()).toBe('b');
  });

  it('drop_new refuses the new item when full', () => {
    const queue = new BoundedQueue<string>({ capacity: 1, policy: 'drop_new', blockTimeoutMs: 10 });
    queue.offer('a', 'x');
    expect(queue.offer('b', 'x')).toEqual({ accepted: false, reason: 'full' });
    expect(queue.take()).toBe('a');
  });

  it('block waits for room and is admitted when an item is taken', async () => {
    const queue = new BoundedQueue<string>({ capacity: 1, policy: 'block', blockTimeoutMs: 10_000 });
    queue.offer('a', 'x');
    const waiting = queue.offer('b', 'x');
    expect(waiting).toBeInstanceOf(Promise);
    expect(queue.blocked).toBe(1);
    expect(queue.take()).toBe('a');
    await expect(waiting).resolves.toEqual({ accepted: true });
    expect(queue.take()).toBe('b');
  });

  it('block gives up after its timeout', async () => {
    const queue = new BoundedQueue<string>({ capacity: 1, policy: 'block', blockTimeoutMs: 20 });
    queue.offer('a', 'x');
    await expect(queue.offer('b', 'x')).resolves.toEqual({ accepted: false, reason: 'timeout' });
    expect(queue.blocked).toBe(0);
    expect(queue.size).toBe(1);
  });

  it('each blocked offer waits its own full timeout, whoever was admitted before it', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const queue = new BoundedQueue<string>({ capacity: 1, policy: 'block', blockTimeoutMs: 150 });
    queue.offer('a', 'x');
    const started = performance.now();
    const b = queue.offer('b', 'x') as Promise<unknown>;
    await sleep(60);
    const c = queue.offer('c', 'x') as Promise<unknown>;
    const cOffered = performance.now();
    const d = queue.offer('d', 'x') as Promise<unknown>;
    await sleep(30);
    expect(queue.take()).toBe('a');
    await expect(b).resolves.toEqual({ accepted: true });
    const cAt = c.then((result) => ({ result, waited: performance.now() - cOffered }));
    const dResult = await d;
    const { result, waited } = await cAt;
    expect(result).toEqual({ accepted: false, reason: 'timeout' });
    expect(dResult).toEqual({ accepted: false, reason: 'timeout' });
    // c timed out 150 ms after it was offered, not at b's deadline (150 ms after the start).
    expect(waited).toBeGreaterThanOrEqual(145);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect(queue.blocked).toBe(0);
    expect(queue.take()).toBe('b');
  });

  it('close refuses blocked and later offers and returns what was queued', async () => {
    const queue = new BoundedQueue<string>({ capacity: 1, policy: 'block', blockTimeoutMs: 10_000 });
    queue.offer('a', 'x');
    const waiting = queue.offer('b', 'x');
    expect(queue.close()).toEqual(['a']);
    await expect(waiting).resolves.toEqual({ accepted: false, reason: 'closed' });
    expect(queue.offer('c', 'x')).toEqual({ accepted: false, reason: 'closed' });
  });
});

describe('LatencyReservoir', () => {
  it('reports percentiles over a bounded window of the newest samples', () => {
    const reservoir = new LatencyReservoir(100);
    expect(reservoir.summary()).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
    for (let ms = 1; ms <= 100; ms++) reservoir.record(ms);
    expect(reservoir.summary()).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    for (let index = 0; index < 100; index++) reservoir.record(1000);
    reservoir.record(Number.NaN);
    reservoir.record(-1);
    expect(reservoir.summary()).toEqual({ count: 100, p50: 1000, p90: 1000, p99: 1000, max: 1000 });
  });
});
