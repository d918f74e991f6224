import type { WebhookEvent, WebhookStore } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatcher, QueueFullError, type QueuePolicy } from '../src/index.js';
import { ALLOW_LOOPBACK, SECRET, waitUntil } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { SQLITE } from './helpers/stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CAPACITY = 3;

/** A dispatcher with one delivery slot and a queue of 3, in front of a receiver that never answers. */
async function hungSetup(
  policy: QueuePolicy,
  store: WebhookStore = createMemoryStore(),
  blockTimeoutMs = 100,
) {
  const receiver = await startReceiver();
  receiver.setDefault({ kind: 'hang' });
  const dispatcher = createDispatcher({
    ssrfGuard: ALLOW_LOOPBACK,
    store,
    targetUrl: receiver.url,
    secret: SECRET,
    concurrency: 1,
    queue: { capacity: CAPACITY, policy, blockTimeoutMs },
    timeouts: { totalMs: 60_000 },
    scheduler: { pollIntervalMs: 50 },
  });
  cleanups.push(
    () => receiver.close(),
    () => dispatcher.close({ deadlineMs: 100 }),
  );
  return { receiver, dispatcher, store };
}

async function enqueueTen(dispatcher: Dispatcher, receiver: Receiver): Promise<WebhookEvent[]> {
  const rows: WebhookEvent[] = [];
  for (let n = 1; n <= 10; n++) rows.push(await dispatcher.enqueue('tick', { n }));
  // Every enqueue resolved while the receiver still holds the first request open.
  await receiver.waitForRequests(1);
  expect(receiver.hanging).toBe(1);
  return rows;
}

describe('backpressure with the memory store and no scheduler', () => {
  it('drop_oldest: enqueue stays quick, the 6 oldest queued hand-offs are dropped and recorded skipped', async () => {
    const { receiver, dispatcher, store } = await hungSetup('drop_oldest');
    const rows = await enqueueTen(dispatcher, receiver);
    const diagnostics = dispatcher.diagnostics();
    expect(diagnostics.queue).toMatchObject({ depth: 3, capacity: 3, policy: 'drop_oldest' });
    expect(diagnostics.totals).toMatchObject({
      enqueued: 10,
      dropped: 6,
      droppedSkipped: 6,
      droppedDeferred: 0,
      skipped: 6,
    });
    const skipped = (await store.list({ status: 'skipped', order: 'asc' })).items;
    expect(skipped.map((row) => row.id)).toEqual(rows.slice(1, 7).map((row) => row.id));
    expect(skipped[0]!.lastError).toBe('dropped by queue policy drop_oldest (capacity 3)');
    expect(diagnostics.recentFailures).toHaveLength(6);

    receiver.release();
    await waitUntil(async () => (await store.countByStatus()).delivered === 4, 'the 4 kept events delivered');
    expect([...receiver.countById().keys()].sort()).toEqual(
      [rows[0]!, ...rows.slice(7)].map((row) => row.id).sort(),
    );
  });

  it('drop_new: the 6 newest are refused and come back skipped', async () => {
    const { receiver, dispatcher, store } = await hungSetup('drop_new');
    const rows = await enqueueTen(dispatcher, receiver);
    expect(rows.slice(0, 4).map((row) => row.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(rows.slice(4).every((row) => row.status === 'skipped')).toBe(true);
    expect(rows[9]!.lastError).toBe('dropped by queue policy drop_new (capacity 3)');
    expect(dispatcher.diagnostics().totals).toMatchObject({ dropped: 6, droppedSkipped: 6 });
    expect((await store.countByStatus()).skipped).toBe(6);
  });

  it('block: waits for room, then rejects with QueueFullError after its timeout (the event is kept)', async () => {
    const { receiver, dispatcher, store } = await hungSetup('block', createMemoryStore(), 100);
    for (let n = 1; n <= 4; n++) await dispatcher.enqueue('tick', { n });
    const error = await dispatcher.enqueue('tick', { n: 5 }).catch((caught: unknown) => caught);
    expect(QueueFullError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /queue full for 100 ms \(policy block, capacity 3\); event evt_\w+ is stored and recorded as skipped/,
    );
    const id = (error as QueueFullError).details?.id as string;
    expect(await store.get(id)).toMatchObject({
      status: 'skipped',
      lastError: 'dropped by queue policy block (capacity 3)',
    });
    await receiver.waitForRequests(1);
    expect(receiver.hanging).toBe(1);
    expect(dispatcher.diagnostics().totals).toMatchObject({ dropped: 1, droppedSkipped: 1 });
  });

  it('block: a waiting enqueue gets in as soon as room frees', async () => {
    const { receiver, dispatcher, store } = await hungSetup('block', createMemoryStore(), 10_000);
    for (let n = 1; n <= 4; n++) await dispatcher.enqueue('tick', { n });
    let resolved = false;
    const waiting = dispatcher.enqueue('tick', { n: 5 }).then((row) => {
      resolved = true;
      return row;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(resolved).toBe(false);
    expect(dispatcher.diagnostics().queue.blocked).toBe(1);
    receiver.release();
    const row = await waiting;
    expect(row.status).toBe('pending');
    await waitUntil(async () => (await store.countByStatus()).delivered === 5, 'all 5 delivered');
    expect(dispatcher.diagnostics().totals.dropped).toBe(0);
  });
});

describe('backpressure when a scheduler can take dropped hand-offs', () => {
  it('memory store with the scheduler running: drops are deferred and delivered later, once each', async () => {
    const { receiver, dispatcher, store } = await hungSetup('drop_oldest');
    dispatcher.start();
    const rows = await enqueueTen(dispatcher, receiver);
    expect(dispatcher.diagnostics().totals).toMatchObject({
      dropped: 6,
      droppedDeferred: 6,
      droppedSkipped: 0,
    });
    expect((await store.countByStatus()).skipped).toBe(0);
    receiver.release();
    await waitUntil(async () => (await store.countByStatus()).delivered === 10, 'all 10 delivered');
    expect([...receiver.countById().values()].every((count) => count === 1)).toBe(true);
    expect(receiver.countById().size).toBe(rows.length);
  });

  it('SQLite: a dropped hand-off is deferred (never lost) and another worker delivers it', async () => {
    const sqlite = await SQLITE.create();
    cleanups.push(() => sqlite.cleanup());
    const { receiver, dispatcher } = await hungSetup('drop_new', sqlite.store);
    const rows = await enqueueTen(dispatcher, receiver);
    expect(rows.every((row) => row.status === 'pending')).toBe(true);
    expect(dispatcher.diagnostics().totals).toMatchObject({
      dropped: 6,
      droppedDeferred: 6,
      droppedSkipped: 0,
    });

    const block = await dispatcher.enqueue('tick', { n: 11 }, {}).catch((error: unknown) => error);
    expect((block as WebhookEvent).status).toBe('pending');

    receiver.release();
    const worker = createDispatcher({
      ssrfGuard: ALLOW_LOOPBACK,
      store: sqlite.another(),
      secret: SECRET,
      scheduler: { pollIntervalMs: 50 },
    });
    cleanups.push(() => worker.close());
    worker.start();
    await waitUntil(async () => (await sqlite.store.countByStatus()).delivered === 11, 'all 11 delivered');
    const counts = receiver.countById();
    expect(counts.size).toBe(11);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(worker.diagnostics().totals.delivered).toBeGreaterThanOrEqual(6);
  });

  it('SQLite with block: the timeout rejects, and the event is deferred to the scheduler', async () => {
    const sqlite = await SQLITE.create();
    cleanups.push(() => sqlite.cleanup());
    const { receiver, dispatcher } = await hungSetup('block', sqlite.store, 50);
    for (let n = 1; n <= 4; n++) await dispatcher.enqueue('tick', { n });
    const error = await dispatcher.enqueue('tick', { n: 5 }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/is stored and deferred to the scheduler/);
    const id = (error as QueueFullError).details?.id as string;
    expect(await sqlite.store.get(id)).toMatchObject({ status: 'pending', lockedBy: null });
    await receiver.waitForRequests(1);
    expect(receiver.hanging).toBe(1);
  });
});
