import type { StoreTransaction, WebhookStore } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { countNotifications, expectInvalidInput, newEvent, pause } from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

function transactionOf(store: WebhookStore): NonNullable<WebhookStore['transaction']> {
  expect(typeof store.transaction, 'the store implements transaction()').toBe('function');
  return store.transaction!.bind(store);
}

/** Registers the tests of `transaction` (the transactional outbox). */
export function transactionSuite(context: SuiteContext): void {
  describe('transaction', () => {
    it('keeps the events inserted through tx when the work resolves, and returns its value', async () => {
      const harness = context.harness();
      const transaction = transactionOf(harness.store);
      const ids = await transaction(async (tx) => {
        const one = await tx.insert(newEvent({ eventType: 'inside.one' }));
        const many = await tx.insertMany([newEvent({ eventType: 'inside.two' }), newEvent()]);
        return [one.event.id, ...many.map((result) => result.event.id)];
      });
      expect(ids).toHaveLength(3);
      expect(await harness.raw.countEvents()).toBe(3);
      expect((await harness.raw.event(ids[0]!))?.eventType).toBe('inside.one');
      expect((await harness.store.get(ids[1]!))?.eventType).toBe('inside.two');
    });

    it('keeps nothing when the work throws, and rethrows the work’s own error', async () => {
      const harness = context.harness();
      const transaction = transactionOf(harness.store);
      const failure = new Error('the domain write failed');
      await expect(
        transaction(async (tx) => {
          await tx.insert(newEvent({ idempotencyKey: 'order-1' }));
          await tx.insertMany([newEvent(), newEvent()]);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await harness.raw.countEvents()).toBe(0);
      const again = await harness.store.insert(newEvent({ idempotencyKey: 'order-1' }));
      expect(again.created).toBe(true);
    });

    it('refuses an invalid event inside the work with InvalidInputError, and the work’s failure keeps nothing', async () => {
      const harness = context.harness();
      const transaction = transactionOf(harness.store);
      await expectInvalidInput(
        () =>
          transaction(async (tx) => {
            await tx.insert(newEvent());
            await tx.insert(newEvent({ eventType: '' }));
          }),
        'eventType',
      );
      expect(await harness.raw.countEvents()).toBe(0);
    });

    it('returns the first row for an idempotency key already stored', async () => {
      const harness = context.harness();
      const transaction = transactionOf(harness.store);
      const first = await harness.store.insert(newEvent({ idempotencyKey: 'same' }));
      const inside = await transaction(async (tx) => tx.insert(newEvent({ idempotencyKey: 'same' })));
      expect(inside.created).toBe(false);
      expect(inside.event.id).toBe(first.event.id);
      expect(await harness.raw.countEvents()).toBe(1);
    });

    it('makes the store’s other operations on the same instance wait until it ends', async () => {
      const harness = context.harness();
      const transaction = transactionOf(harness.store);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const order: string[] = [];
      const running = transaction(async (tx) => {
        await tx.insert(newEvent({ eventType: 'inside' }));
        await gate;
        order.push('commit');
      });
      await pause(10);
      const outside = harness.store.listDue().then((rows) => {
        order.push(`due:${rows.map((row) => row.eventType).join(',')}`);
      });
      await pause(20);
      expect(order).toEqual([]);
      release();
      await Promise.all([running, outside]);
      expect(order).toEqual(['commit', 'due:inside']);
    });

    it('refuses inserts through a transaction that has ended', async () => {
      const harness = context.harness();
      const transaction = transactionOf(harness.store);
      let leaked: StoreTransaction | undefined;
      await transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.insert(newEvent())).rejects.toThrow(/transaction has ended/);
      expect(await harness.raw.countEvents()).toBe(0);
    });

    it('tells subscribers only after the commit', async () => {
      const harness = context.harness();
      const transaction = transactionOf(harness.store);
      const notifications = countNotifications(harness.store);
      // A store may wake a new subscriber once when its notifications go live: count from there.
      await notifications.ready();
      const before = notifications.count();
      await transaction(async (tx) => {
        await tx.insert(newEvent());
        await pause(10);
        expect(notifications.count()).toBe(before);
      });
      await notifications.next(before + 1);
      notifications.unsubscribe();
    });
  });
}
