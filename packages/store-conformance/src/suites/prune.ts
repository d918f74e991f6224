import { describe, expect, it } from 'vitest';
import {
  claimOrFail,
  expectInvalidInput,
  HOUR,
  newEvents,
  outcomeFor,
  rawOrFail,
  settle,
  shift,
} from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

/** Registers the tests of `prune`: by age and status, attempt records, and never pending rows. */
export function pruneSuite(context: SuiteContext): void {
  describe('prune', () => {
    it('deletes delivered rows (default) updated before the cut-off with their attempts, and older attempts', async () => {
      const harness = context.harness();
      const ids = (await harness.store.insertMany(newEvents(4))).map((result) => result.event.id);
      await settle(harness.store, ids[0]!, { kind: 'delivered' });
      await settle(harness.store, ids[1]!, { kind: 'delivered' });
      await settle(harness.store, ids[2]!, { kind: 'failed' });
      expect(await harness.raw.countAttempts()).toBe(3);
      const result = await harness.store.prune({ olderThan: shift(new Date(), HOUR) });
      // The failed row stays, but its attempt record is older than the cut-off too: 3 attempt records go.
      expect(result).toEqual({ events: 2, attempts: 3 });
      expect(await harness.raw.event(ids[0]!)).toBeUndefined();
      expect(await harness.raw.event(ids[1]!)).toBeUndefined();
      expect(await harness.raw.countAttempts(ids[0]!)).toBe(0);
      expect((await rawOrFail(harness, ids[2]!)).status).toBe('failed');
      expect((await rawOrFail(harness, ids[3]!)).status).toBe('pending');
      expect(await harness.raw.countEvents()).toBe(2);
      expect(await harness.raw.countAttempts()).toBe(0);
      expect(await harness.store.get(ids[0]!)).toBeUndefined();
    });

    it('keeps rows updated after the cut-off', async () => {
      const harness = context.harness();
      const ids = (await harness.store.insertMany(newEvents(2))).map((result) => result.event.id);
      await settle(harness.store, ids[0]!, { kind: 'delivered' });
      await settle(harness.store, ids[1]!, { kind: 'failed' });
      const result = await harness.store.prune({
        olderThan: new Date(Date.now() - HOUR),
        statuses: ['delivered', 'failed', 'skipped'],
      });
      expect(result).toEqual({ events: 0, attempts: 0 });
      expect(await harness.raw.countEvents()).toBe(2);
      expect(await harness.raw.countAttempts()).toBe(2);
    });

    it('deletes only the listed statuses', async () => {
      const harness = context.harness();
      const ids = (await harness.store.insertMany(newEvents(3))).map((result) => result.event.id);
      await settle(harness.store, ids[0]!, { kind: 'delivered' });
      await settle(harness.store, ids[1]!, { kind: 'failed' });
      await settle(harness.store, ids[2]!, { kind: 'skipped', reason: 'gone' });
      const result = await harness.store.prune({
        olderThan: shift(new Date(), HOUR),
        statuses: ['failed', 'skipped'],
      });
      expect(result.events).toBe(2);
      expect((await rawOrFail(harness, ids[0]!)).status).toBe('delivered');
      expect(await harness.raw.event(ids[1]!)).toBeUndefined();
      expect(await harness.raw.event(ids[2]!)).toBeUndefined();
      expect(await harness.store.countByStatus()).toEqual({
        pending: 0,
        delivered: 1,
        failed: 0,
        skipped: 0,
      });
    });

    it('never deletes pending rows, but deletes their attempt records older than the cut-off', async () => {
      const harness = context.harness();
      const ids = (await harness.store.insertMany(newEvents(2))).map((result) => result.event.id);
      const claimed = await claimOrFail(harness.store, ids[0]!, 'w');
      const old = new Date(Date.now() - 3 * HOUR);
      await harness.store.recordOutcome(
        outcomeFor(claimed, 'w', { kind: 'retry', nextRetryAt: new Date() }, { startedAt: old }),
      );
      const recent = await claimOrFail(harness.store, ids[0]!, 'w');
      await harness.store.recordOutcome(outcomeFor(recent, 'w', { kind: 'retry', nextRetryAt: new Date() }));
      expect(await harness.raw.countAttempts(ids[0]!)).toBe(2);
      const result = await harness.store.prune({
        olderThan: new Date(Date.now() - HOUR),
        statuses: ['delivered', 'failed', 'skipped'],
      });
      expect(result).toEqual({ events: 0, attempts: 1 });
      expect(await harness.raw.countAttempts(ids[0]!)).toBe(1);
      const [kept] = await harness.store.listAttempts(ids[0]!);
      expect(kept?.attemptNumber).toBe(2);
      const everything = await harness.store.prune({
        olderThan: shift(new Date(), HOUR),
        statuses: ['delivered', 'failed', 'skipped'],
      });
      expect(everything.events).toBe(0);
      expect(await harness.raw.countEvents()).toBe(2);
      expect((await rawOrFail(harness, ids[0]!)).status).toBe('pending');
      await expectInvalidInput(
        () =>
          harness.store.prune({
            olderThan: shift(new Date(), HOUR),
            statuses: ['pending' as unknown as 'failed'],
          }),
        'statuses',
      );
      expect(await harness.raw.countEvents()).toBe(2);
    });

    it('frees the idempotency key of a pruned row', async () => {
      const harness = context.harness();
      const first = await harness.store.insert({ eventType: 'k', payload: 1, idempotencyKey: 'reuse-me' });
      await settle(harness.store, first.event.id, { kind: 'delivered' });
      await harness.store.prune({ olderThan: shift(new Date(), HOUR) });
      const second = await harness.store.insert({ eventType: 'k', payload: 2, idempotencyKey: 'reuse-me' });
      expect(second.created).toBe(true);
      expect(second.event.id).not.toBe(first.event.id);
      expect(await harness.raw.countEvents()).toBe(1);
    });
  });
}
