import { InvalidInputError, NotFoundError, type WebhookEvent, type WebhookStore } from '@hooks/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../src/index.js';
import {
  ALLOW_LOOPBACK,
  type ManualClock,
  manualClock,
  SECRET,
  verify,
  waitUntil,
} from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { requirePostgres, STORE_FACTORIES, type StoreFactory } from './helpers/stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Harness {
  store: WebhookStore;
  another: () => WebhookStore;
  dispatcher: Dispatcher;
  receiver: Receiver;
  clock: ManualClock;
}

const MODES = ['sync', 'async'] as const;
const MATRIX = STORE_FACTORIES.flatMap((factory) => MODES.map((mode) => ({ factory, mode })));

async function harness(
  factory: StoreFactory,
  mode: 'sync' | 'async',
  options: Partial<DispatcherOptions> = {},
): Promise<Harness> {
  const { store, another, cleanup } = await factory.create();
  const receiver = await startReceiver();
  const clock = manualClock();
  const dispatcher = createDispatcher({
    ssrfGuard: ALLOW_LOOPBACK,
    store,
    targetUrl: receiver.url,
    secret: SECRET,
    deliveryMode: mode,
    clock,
    scheduler: { pollIntervalMs: 50 },
    ...options,
  });
  cleanups.push(
    cleanup,
    () => receiver.close(),
    () => dispatcher.close(),
  );
  return { store, another, dispatcher, receiver, clock };
}

/** In sync mode the returned row is final; in async mode wait until the store shows `attempts` attempts. */
async function settled(h: Harness, row: WebhookEvent, attempts = 1): Promise<WebhookEvent> {
  await waitUntil(async () => {
    const current = await h.store.get(row.id);
    return current !== undefined && current.attempts >= attempts && current.lockedBy === null;
  }, `event ${row.id} to reach ${attempts} attempt(s)`);
  return (await h.store.get(row.id))!;
}

describe.each(MATRIX)('$factory.name store, $mode mode', ({ factory, mode }) => {
  describe.skipIf(factory.skip)('dispatcher', () => {
    if (factory.name === 'postgres') requirePostgres();

    it('persists first, then delivers once, signed', async () => {
      const h = await harness(factory, mode);
      const returned = await h.dispatcher.enqueue('order.paid', { orderId: 7 });
      expect(returned.eventType).toBe('order.paid');
      if (mode === 'sync') expect(returned.status).toBe('delivered');
      const row = await settled(h, returned);
      expect(row).toMatchObject({
        status: 'delivered',
        attempts: 1,
        responseStatus: 200,
        payload: { orderId: 7 },
      });
      expect(h.receiver.countById().get(row.id)).toBe(1);
      const request = h.receiver.requests[0]!;
      expect(verify(request.body, request.headers).id).toBe(row.id);
      expect(await h.store.listAttempts(row.id)).toHaveLength(1);
      expect(h.dispatcher.diagnostics().totals).toMatchObject({ enqueued: 1, delivered: 1, attempts: 1 });
    });

    it('retries on schedule and records every attempt exactly', async () => {
      const h = await harness(factory, mode);
      h.receiver.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
      const start = h.clock.ms;
      const first = await settled(h, await h.dispatcher.enqueue('order.paid', { n: 1 }));
      expect(first).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500' });
      expect(first.nextRetryAt?.getTime()).toBe(start + 5_000);

      expect(await h.dispatcher.listPendingDue(new Date(start + 4_999))).toEqual([]);
      expect(await h.dispatcher.deliverDue({ now: new Date(start + 4_999) })).toBe(0);
      expect((await h.dispatcher.listPendingDue(new Date(start + 5_000))).map((row) => row.id)).toEqual([
        first.id,
      ]);

      h.clock.advance(5_000);
      expect(await h.dispatcher.deliverDue()).toBe(1);
      const second = (await h.store.get(first.id))!;
      expect(second).toMatchObject({ status: 'pending', attempts: 2, lastError: 'HTTP 503' });
      expect(second.nextRetryAt?.getTime()).toBe(start + 5_000 + 300_000);

      h.clock.advance(300_000);
      expect(await h.dispatcher.deliverDue()).toBe(1);
      const third = (await h.store.get(first.id))!;
      expect(third).toMatchObject({ status: 'delivered', attempts: 3, lastError: null, responseStatus: 200 });

      const attempts = await h.store.listAttempts(first.id);
      expect(
        attempts.map((attempt) => [attempt.attemptNumber, attempt.responseStatus, attempt.error]),
      ).toEqual([
        [1, 500, 'HTTP 500'],
        [2, 503, 'HTTP 503'],
        [3, 200, null],
      ]);
      expect(h.receiver.requests.map((request) => request.id)).toEqual([first.id, first.id, first.id]);
      expect(
        h.receiver.requests.map((request) => Number(request.headers['webhook-timestamp']) - start / 1000),
      ).toEqual([0, 5, 305]);
      expect(h.dispatcher.diagnostics().totals).toMatchObject({ retried: 2, delivered: 1, attempts: 3 });
    });

    it('fails an event when its attempts run out (per-enqueue maxAttempts)', async () => {
      const h = await harness(factory, mode);
      h.receiver.setDefault({ kind: 'status', status: 500 });
      const row = await settled(h, await h.dispatcher.enqueue('order.paid', {}, { maxAttempts: 1 }));
      expect(row).toMatchObject({ status: 'failed', attempts: 1, maxAttempts: 1, lastError: 'HTTP 500' });
      expect(h.dispatcher.diagnostics().recentFailures).toEqual([
        expect.objectContaining({ id: row.id, eventType: 'order.paid', error: 'HTTP 500' }),
      ]);
    });

    it('the same idempotency key gives the same event and no second delivery', async () => {
      const h = await harness(factory, mode);
      const a = await settled(
        h,
        await h.dispatcher.enqueue('order.paid', { n: 1 }, { idempotencyKey: 'order-1' }),
      );
      const b = await h.dispatcher.enqueue('order.paid', { n: 2 }, { idempotencyKey: 'order-1' });
      expect(b.id).toBe(a.id);
      expect(b.payload).toEqual({ n: 1 });
      await h.dispatcher.deliverDue();
      expect(h.receiver.requests).toHaveLength(1);
      expect(h.dispatcher.diagnostics().totals.enqueued).toBe(1);
    });

    it('with no target URL the event is stored skipped and never sent', async () => {
      const h = await harness(factory, mode, { targetUrl: null });
      const row = await h.dispatcher.enqueue('order.paid', {});
      expect(row).toMatchObject({ status: 'skipped', lastError: 'no target URL configured', attempts: 0 });
      expect(await h.dispatcher.deliverNow(row.id)).toMatchObject({ status: 'skipped', attempts: 0 });
      expect(h.receiver.requests).toHaveLength(0);
    });

    it('deliverNow: idempotent on terminal rows, NotFoundError for an unknown id', async () => {
      const h = await harness(factory, mode);
      const row = await settled(h, await h.dispatcher.enqueue('order.paid', {}));
      const again = await h.dispatcher.deliverNow(row.id);
      expect(again).toMatchObject({ id: row.id, status: 'delivered', attempts: 1 });
      expect(h.receiver.requests).toHaveLength(1);
      await expect(h.dispatcher.deliverNow('evt_does_not_exist')).rejects.toSatisfy((error) =>
        NotFoundError.isInstance(error),
      );
      await expect(h.dispatcher.deliverNow('bad id!')).rejects.toSatisfy((error) =>
        InvalidInputError.isInstance(error),
      );
    });

    it('deliverNow returns a row leased by another live worker unchanged', async () => {
      const h = await harness(factory, mode);
      const { event } = await h.store.insert({
        eventType: 'order.paid',
        payload: {},
        targetUrl: h.receiver.url,
        lease: { workerId: 'someone-else', leaseMs: 60_000 },
      });
      const row = await h.dispatcher.deliverNow(event.id);
      expect(row).toMatchObject({ status: 'pending', attempts: 0, lockedBy: 'someone-else' });
      expect(h.receiver.requests).toHaveLength(0);
    });

    it('deliverNow delivers a pending row now, ahead of its schedule', async () => {
      const h = await harness(factory, mode);
      const row = await h.dispatcher.enqueue('order.paid', {}, { delay: '1h' });
      expect(row).toMatchObject({ status: 'pending', lockedBy: null });
      expect(h.receiver.requests).toHaveLength(0);
      expect(await h.dispatcher.deliverNow(row.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    });

    it('enqueueMany inserts in one batch and delivers each', async () => {
      const h = await harness(factory, mode);
      const rows = await h.dispatcher.enqueueMany(
        Array.from({ length: 20 }, (_, n) => ({ eventType: 'bulk', payload: { n } })),
      );
      expect(rows).toHaveLength(20);
      await h.receiver.waitForRequests(20);
      await waitUntil(async () => (await h.store.countByStatus()).delivered === 20, '20 delivered');
      expect(new Set(h.receiver.requests.map((request) => request.id))).toEqual(
        new Set(rows.map((row) => row.id)),
      );
    });

    it('replays failed events (bounded) and delivers them; refuses an unbounded replay', async () => {
      const h = await harness(factory, mode);
      h.receiver.script({ kind: 'status', status: 500 });
      const row = await settled(h, await h.dispatcher.enqueue('order.paid', {}, { maxAttempts: 1 }));
      expect(row.status).toBe('failed');
      const dry = await h.dispatcher.replay({ eventType: 'order.paid' }, { limit: 10, dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, matched: 1, replayed: 0 });
      const report = await h.dispatcher.replay({ eventType: 'order.paid' }, { limit: 10 });
      expect(report).toMatchObject({ matched: 1, replayed: 1 });
      await waitUntil(
        async () => (await h.store.get(row.id))?.status === 'delivered',
        'replayed event delivered',
      );
      expect((await h.store.get(row.id))!.replayCount).toBe(1);
      await expect(h.dispatcher.replay({}, { limit: 10 })).rejects.toThrow(
        /Refusing an unbounded replay.*Examples/,
      );
    });

    it("replays by targetUrl: only that endpoint's failed events are delivered again", async () => {
      const h = await harness(factory, mode);
      const other = await startReceiver();
      cleanups.push(() => other.close());
      h.receiver.setDefault({ kind: 'status', status: 500 });
      other.setDefault({ kind: 'status', status: 503 });
      const events: WebhookEvent[] = [];
      for (const [n, targetUrl] of [h.receiver.url, other.url, h.receiver.url, other.url].entries()) {
        events.push(await h.dispatcher.enqueue('order.paid', { n }, { maxAttempts: 1, targetUrl }));
      }
      const rows = await Promise.all(events.map((event) => settled(h, event)));
      expect(rows.map((row) => row.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
      const [main1, other1, main2, other2] = rows.map((row) => row.id);
      h.receiver.setDefault({ kind: 'status', status: 200 });
      other.setDefault({ kind: 'status', status: 200 });

      const dry = await h.dispatcher.replay({ targetUrl: other.url }, { limit: 10, dryRun: true });
      expect(dry.candidates.map((candidate) => candidate.id)).toEqual([other1, other2]);
      const report = await h.dispatcher.replay({ targetUrl: [other.url] }, { limit: 10 });
      expect(report).toMatchObject({ matched: 2, replayed: 2 });
      await waitUntil(async () => {
        const replayed = await Promise.all([h.store.get(other1!), h.store.get(other2!)]);
        return replayed.every((row) => row?.status === 'delivered');
      }, "the other endpoint's events delivered");
      expect(other.countById()).toEqual(
        new Map([
          [other1, 2],
          [other2, 2],
        ]),
      );
      expect(h.receiver.countById()).toEqual(
        new Map([
          [main1, 1],
          [main2, 1],
        ]),
      );
      for (const id of [main1!, main2!]) {
        expect(await h.store.get(id)).toMatchObject({ status: 'failed', replayCount: 0 });
      }
      await expect(h.dispatcher.replay({ targetUrl: 'ftp://x.test/' }, { limit: 10 })).rejects.toSatisfy(
        (error) => InvalidInputError.isInstance(error) && error.details?.field === 'targetUrl',
      );
    });

    it('the scheduler delivers delayed events and rows a dead worker leased', async () => {
      const h = await harness(factory, mode, { clock: undefined });
      const other = h.another();
      const orphan = await other.insert({
        eventType: 'orphan',
        payload: {},
        targetUrl: h.receiver.url,
        lease: { workerId: 'dead-worker', leaseMs: 1 },
      });
      const delayed = await h.dispatcher.enqueue('later', {}, { delay: 30 });
      h.dispatcher.start();
      await waitUntil(
        async () => (await h.store.countByStatus()).delivered === 2,
        'both delivered by the scheduler',
      );
      expect(h.receiver.countById()).toEqual(
        new Map([
          [orphan.event.id, 1],
          [delayed.id, 1],
        ]),
      );
      await h.dispatcher.stop();
    });
  });
});
