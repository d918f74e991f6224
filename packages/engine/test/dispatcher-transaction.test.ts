import { InvalidInputError } from '@hooks/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatcher } from '../src/index.js';
import { ALLOW_LOOPBACK, SECRET, verify, waitUntil } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { requirePostgres, STORE_FACTORIES } from './helpers/stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const MATRIX = STORE_FACTORIES.flatMap((factory) =>
  (['sync', 'async'] as const).map((mode) => ({ factory, mode })),
);

describe.each(MATRIX)('dispatcher.transaction on $factory.name, $mode mode', ({ factory, mode }) => {
  describe.skipIf(factory.skip)('outbox', () => {
    if (factory.name === 'postgres') requirePostgres();

    async function setup(): Promise<{ dispatcher: Dispatcher; receiver: Receiver }> {
      const { store, cleanup } = await factory.create();
      const receiver = await startReceiver();
      const dispatcher = createDispatcher({
        ssrfGuard: ALLOW_LOOPBACK,
        store,
        targetUrl: receiver.url,
        secret: SECRET,
        deliveryMode: mode,
      });
      cleanups.push(
        cleanup,
        () => receiver.close(),
        () => dispatcher.close(),
      );
      return { dispatcher, receiver };
    }

    it('stores the events with the work and delivers them only after the commit', async () => {
      const { dispatcher, receiver } = await setup();
      let requestsDuringWork = -1;
      const ids = await dispatcher.transaction(async (tx) => {
        const one = await tx.enqueue('order.paid', { order: 1 });
        const many = await tx.enqueueMany([
          { eventType: 'order.shipped', payload: { order: 1 } },
          { eventType: 'order.closed', payload: { order: 1 } },
        ]);
        await new Promise((resolve) => setTimeout(resolve, 30));
        requestsDuringWork = receiver.requests.length;
        return [one.id, ...many.map((event) => event.id)];
      });
      expect(requestsDuringWork).toBe(0);
      if (mode === 'sync') expect(receiver.requests).toHaveLength(3);
      await receiver.waitForRequests(3);
      await waitUntil(async () => {
        const rows = await Promise.all(ids.map((id) => dispatcher.store.get(id)));
        return rows.every((row) => row?.status === 'delivered');
      }, 'the three events to be delivered');
      expect(receiver.requests.map((request) => request.id).sort()).toEqual([...ids].sort());
      for (const request of receiver.requests)
        expect(verify(request.body, request.headers).id).toBe(request.id);
    });

    it('keeps and sends nothing when the work throws', async () => {
      const { dispatcher, receiver } = await setup();
      const failure = new Error('domain rule broken');
      await expect(
        dispatcher.transaction(async (tx) => {
          await tx.enqueue('order.paid', { order: 2 });
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect((await dispatcher.store.list()).items).toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(receiver.requests).toHaveLength(0);
    });

    it('refuses invalid input inside the work with InvalidInputError naming the field', async () => {
      const { dispatcher } = await setup();
      const error = await dispatcher
        .transaction(async (tx) => {
          await tx.enqueueMany([
            { eventType: 'ok', payload: 1 },
            { eventType: '', payload: 2 },
          ]);
        })
        .catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect((error as InvalidInputError).details?.field).toBe('items[1].eventType');
      expect((await dispatcher.store.list()).items).toHaveLength(0);
    });
  });
});
