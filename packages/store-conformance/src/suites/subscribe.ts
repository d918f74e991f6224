import { describe, expect, it } from 'vitest';
import {
  claimOrFail,
  countNotifications,
  insertSettled,
  newEvent,
  newEvents,
  outcomeFor,
} from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

/** Registers the tests of `subscribe`: who is told when new work may be due, and unsubscribing. */
export function subscribeSuite(context: SuiteContext): void {
  describe('subscribe', () => {
    it('calls the listener after insert and insertMany', async () => {
      const harness = context.harness();
      const listener = countNotifications(harness.store);
      await harness.store.insert(newEvent());
      await listener.next(1);
      const calls = listener.count();
      await harness.store.insertMany(newEvents(3));
      await listener.next(calls + 1);
      listener.unsubscribe();
    });

    it('calls the listener after a replay, a lease release and a retry outcome', async () => {
      const harness = context.harness();
      const [failed] = await insertSettled(harness.store, [newEvent({ eventType: 'again' })], {
        kind: 'failed',
      });
      const { event } = await harness.store.insert(newEvent());
      const listener = countNotifications(harness.store);
      await harness.store.replay({ ids: [failed!.id] }, { limit: 1 });
      await listener.next(1);
      await claimOrFail(harness.store, event.id, 'w');
      const released = listener.count();
      expect(await harness.store.releaseLeases([event.id], 'w')).toBe(1);
      await listener.next(released + 1);
      const claimed = await claimOrFail(harness.store, event.id, 'w');
      const retried = listener.count();
      await harness.store.recordOutcome(outcomeFor(claimed, 'w', { kind: 'retry', nextRetryAt: new Date() }));
      await listener.next(retried + 1);
      listener.unsubscribe();
    });

    it('stops calling a listener after unsubscribe', async () => {
      const harness = context.harness();
      const stays = countNotifications(harness.store);
      const leaves = countNotifications(harness.store);
      await harness.store.insert(newEvent());
      await Promise.all([stays.next(1), leaves.next(1)]);
      leaves.unsubscribe();
      const callsBefore = leaves.count();
      const staysBefore = stays.count();
      await harness.store.insert(newEvent());
      await harness.store.insert(newEvent());
      await stays.next(staysBefore + 2);
      expect(leaves.count()).toBe(callsBefore);
      const early = countNotifications(harness.store);
      const inserting = harness.store.insert(newEvent());
      early.unsubscribe();
      await inserting;
      await stays.next(staysBefore + 3);
      expect(early.count()).toBe(0);
      stays.unsubscribe();
    });

    it('a listener that throws neither breaks the operation nor the other listeners', async () => {
      const harness = context.harness();
      const unsubscribe = harness.store.subscribe(() => {
        throw new Error('listener failure');
      });
      const healthy = countNotifications(harness.store);
      const { created } = await harness.store.insert(newEvent());
      expect(created).toBe(true);
      await healthy.next(1);
      await harness.store.insert(newEvent());
      await healthy.next(2);
      expect(await harness.raw.countEvents()).toBe(2);
      unsubscribe();
      healthy.unsubscribe();
    });
  });
}
