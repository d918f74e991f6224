import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../src/index.js';
import { ALLOW_LOOPBACK, SECRET, verify, waitUntil } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';
import { requirePostgres, STORE_FACTORIES } from './helpers/stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(STORE_FACTORIES.filter((factory) => factory.name !== 'memory'))(
  'deferred mode on $name',
  (factory) => {
    describe.skipIf(factory.skip)('a producer that only stores, and a separate worker that delivers', () => {
      if (factory.name === 'postgres') requirePostgres();

      it('stores rows unleased and sends nothing itself; another process’s scheduler delivers them', async () => {
        const { store, another, cleanup } = await factory.create();
        const receiver = await startReceiver();
        const producer = createDispatcher({
          ssrfGuard: ALLOW_LOOPBACK,
          store,
          targetUrl: receiver.url,
          secret: SECRET,
          deliveryMode: 'deferred',
        });
        cleanups.push(
          cleanup,
          () => receiver.close(),
          () => producer.close(),
        );

        const first = await producer.enqueue('order.paid', { order: 1 });
        const [second] = await producer.transaction(async (tx) =>
          tx.enqueueMany([{ eventType: 'order.shipped', payload: { order: 1 } }]),
        );
        expect(first).toMatchObject({ status: 'pending', lockedBy: null, attempts: 0 });
        expect(second).toMatchObject({ status: 'pending', lockedBy: null });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(receiver.requests).toHaveLength(0);
        expect(producer.diagnostics().deliveryMode).toBe('deferred');

        const workerStore = another();
        const worker = createDispatcher({
          ssrfGuard: ALLOW_LOOPBACK,
          store: workerStore,
          targetUrl: receiver.url,
          secret: SECRET,
          scheduler: { pollIntervalMs: 50 },
        });
        cleanups.push(
          () => worker.close(),
          () => workerStore.close(),
        );
        worker.start();
        await receiver.waitForRequests(2);
        await waitUntil(async () => (await store.get(second!.id))?.status === 'delivered', 'both delivered');
        expect((await store.get(first.id))?.status).toBe('delivered');
        for (const request of receiver.requests)
          expect(verify(request.body, request.headers).id).toBe(request.id);
      });
    });
  },
);
