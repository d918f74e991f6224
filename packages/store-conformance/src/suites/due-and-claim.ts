import { describe, expect, it } from 'vitest';
import {
  claimOrFail,
  expectSameRow,
  HOUR,
  idsOf,
  MINUTE,
  newEvent,
  newEvents,
  outcomeFor,
  rawOrFail,
  settle,
  shift,
} from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

/** Registers the tests of `listDue`, `claimDue`, `claimById` and `releaseLeases`. */
export function dueAndClaimSuite(context: SuiteContext): void {
  describe('due rows, leases and releases', () => {
    it('listDue returns pending rows whose nextRetryAt is null or not after now', async () => {
      const harness = context.harness();
      const now = new Date();
      const [unset, past, exact, future] = await harness.store.insertMany([
        newEvent(),
        newEvent({ nextRetryAt: shift(now, -MINUTE) }),
        newEvent({ nextRetryAt: now }),
        newEvent({ nextRetryAt: shift(now, MINUTE) }),
      ]);
      const due = idsOf(await harness.store.listDue({ now }));
      expect(due).toContain(unset!.event.id);
      expect(due).toContain(past!.event.id);
      expect(due).toContain(exact!.event.id);
      expect(due).not.toContain(future!.event.id);
      expect(idsOf(await harness.store.listDue({ now: shift(now, 2 * MINUTE) }))).toContain(future!.event.id);
    });

    it('listDue leaves out terminal rows and rows without attempts left', async () => {
      const harness = context.harness();
      const [delivered, failed, exhausted, pending] = await harness.store.insertMany([
        newEvent(),
        newEvent(),
        newEvent({ maxAttempts: 1 }),
        newEvent(),
      ]);
      await harness.store.insert(newEvent({ skip: { reason: 'no target' } }));
      await settle(harness.store, delivered!.event.id, { kind: 'delivered' });
      await settle(harness.store, failed!.event.id, { kind: 'failed' });
      const past = new Date(Date.now() - HOUR);
      await settle(harness.store, exhausted!.event.id, { kind: 'retry', nextRetryAt: past });
      const raw = await rawOrFail(harness, exhausted!.event.id);
      expect(raw).toMatchObject({ status: 'pending', attempts: 1, maxAttempts: 1 });
      const later = shift(new Date(), HOUR);
      expect(idsOf(await harness.store.listDue({ now: later }))).toEqual([pending!.event.id]);
      expect(
        idsOf(await harness.store.claimDue({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: later })),
      ).toEqual([pending!.event.id]);
    });

    it('listDue is ordered oldest first by (nextRetryAt or insertedAt, id) and honours limit', async () => {
      const harness = context.harness();
      const now = new Date();
      const results = await harness.store.insertMany([
        newEvent({ nextRetryAt: shift(now, -1 * MINUTE) }),
        newEvent(),
        newEvent({ nextRetryAt: shift(now, -3 * MINUTE) }),
        newEvent({ nextRetryAt: shift(now, -2 * MINUTE) }),
        newEvent(),
      ]);
      const [a, b, c, d, e] = results.map((result) => result.event.id);
      const at = shift(now, MINUTE);
      expect(idsOf(await harness.store.listDue({ now: at }))).toEqual([c, d, a, b, e]);
      expect(idsOf(await harness.store.listDue({ now: at, limit: 2 }))).toEqual([c, d]);
    });

    it('listDue returns at most 100 rows by default', async () => {
      const harness = context.harness();
      await harness.store.insertMany(newEvents(105));
      expect(await harness.store.listDue()).toHaveLength(100);
      expect(await harness.store.listDue({ limit: 1000 })).toHaveLength(105);
    });

    it('listDue leaves out rows under a live lease and shows them again once it expired', async () => {
      const harness = context.harness();
      const now = new Date();
      const { event } = await harness.store.insert(newEvent());
      await harness.store.claimDue({ workerId: 'w1', limit: 1, leaseMs: MINUTE, now });
      expect(await harness.store.listDue({ now: shift(now, MINUTE - 1) })).toEqual([]);
      expect(idsOf(await harness.store.listDue({ now: shift(now, MINUTE) }))).toEqual([event.id]);
    });

    it('claimDue leases due rows (lockedBy, lockedUntil = now + leaseMs), oldest first, up to limit', async () => {
      const harness = context.harness();
      const now = new Date();
      const results = await harness.store.insertMany(
        newEvents(5, (index) => ({ nextRetryAt: shift(now, -(5 - index) * MINUTE) })),
      );
      const ids = results.map((result) => result.event.id);
      const claimed = await harness.store.claimDue({ workerId: 'worker-1', limit: 3, leaseMs: 30_000, now });
      expect(idsOf(claimed)).toEqual(ids.slice(0, 3));
      for (const row of claimed) {
        expect(row.lockedBy).toBe('worker-1');
        expect(row.lockedUntil).toEqual(shift(now, 30_000));
        const raw = await rawOrFail(harness, row.id);
        expect(raw.lockedBy).toBe('worker-1');
        expect(raw.lockedUntil).toEqual(shift(now, 30_000));
        expect(raw).toMatchObject({ status: 'pending', attempts: 0 });
        expectSameRow(row, raw);
      }
      for (const id of ids.slice(3)) expect((await rawOrFail(harness, id)).lockedBy).toBeNull();
    });

    it('claimDue never returns a row under a live lease, to the same or another worker', async () => {
      const harness = context.harness();
      const now = new Date();
      await harness.store.insertMany(newEvents(3));
      expect(await harness.store.claimDue({ workerId: 'w1', limit: 10, leaseMs: MINUTE, now })).toHaveLength(
        3,
      );
      const later = shift(now, MINUTE - 1);
      expect(
        await harness.store.claimDue({ workerId: 'w2', limit: 10, leaseMs: MINUTE, now: later }),
      ).toEqual([]);
      expect(
        await harness.store.claimDue({ workerId: 'w1', limit: 10, leaseMs: MINUTE, now: later }),
      ).toEqual([]);
      await harness.store.insert(newEvent({ lease: { workerId: 'inserter', leaseMs: HOUR } }));
      expect(await harness.store.claimDue({ workerId: 'w2', limit: 10, leaseMs: MINUTE })).toEqual([]);
    });

    it('claimDue does not take rows that are not due, terminal or out of attempts', async () => {
      const harness = context.harness();
      const now = new Date();
      const [future, done] = await harness.store.insertMany([
        newEvent({ nextRetryAt: shift(now, HOUR) }),
        newEvent(),
      ]);
      await settle(harness.store, done!.event.id, { kind: 'delivered' });
      await harness.store.insert(newEvent({ skip: { reason: 'none' } }));
      expect(await harness.store.claimDue({ workerId: 'w', limit: 10, leaseMs: MINUTE, now })).toEqual([]);
      expect((await rawOrFail(harness, future!.event.id)).lockedBy).toBeNull();
    });

    it('a row whose lease expired is claimable by another worker', async () => {
      const harness = context.harness();
      const now = new Date();
      const { event } = await harness.store.insert(newEvent());
      await harness.store.claimDue({ workerId: 'dead-worker', limit: 1, leaseMs: 1000, now });
      const later = shift(now, 5000);
      const claimed = await harness.store.claimDue({
        workerId: 'live-worker',
        limit: 5,
        leaseMs: 1000,
        now: later,
      });
      expect(idsOf(claimed)).toEqual([event.id]);
      const raw = await rawOrFail(harness, event.id);
      expect(raw.lockedBy).toBe('live-worker');
      expect(raw.lockedUntil).toEqual(shift(later, 1000));
    });

    it('claimById leases a pending row whether it is due or not', async () => {
      const harness = context.harness();
      const now = new Date();
      const [due, notDue] = await harness.store.insertMany([
        newEvent(),
        newEvent({ nextRetryAt: shift(now, HOUR) }),
      ]);
      for (const { event } of [due!, notDue!]) {
        const claimed = await harness.store.claimById(event.id, { workerId: 'w', leaseMs: 20_000, now });
        expect(claimed?.id).toBe(event.id);
        expect(claimed?.lockedBy).toBe('w');
        const raw = await rawOrFail(harness, event.id);
        expect(raw).toMatchObject({ lockedBy: 'w', lockedUntil: shift(now, 20_000), status: 'pending' });
      }
      expect((await rawOrFail(harness, notDue!.event.id)).nextRetryAt).toEqual(shift(now, HOUR));
    });

    it('claimById returns undefined for terminal rows and unknown ids, changing nothing', async () => {
      const harness = context.harness();
      const [delivered, failed] = await harness.store.insertMany(newEvents(2));
      await settle(harness.store, delivered!.event.id, { kind: 'delivered' });
      await settle(harness.store, failed!.event.id, { kind: 'failed' });
      const { event: skipped } = await harness.store.insert(newEvent({ skip: { reason: 'none' } }));
      for (const id of [delivered!.event.id, failed!.event.id, skipped.id]) {
        const before = await rawOrFail(harness, id);
        expect(await harness.store.claimById(id, { workerId: 'w', leaseMs: MINUTE })).toBeUndefined();
        expect(await rawOrFail(harness, id)).toEqual(before);
      }
      expect(
        await harness.store.claimById('evt_missing', { workerId: 'w', leaseMs: MINUTE }),
      ).toBeUndefined();
      expect(await harness.raw.countEvents()).toBe(3);
    });

    it('claimById refuses a row leased by another live worker; the holder may renew; expiry frees it', async () => {
      const harness = context.harness();
      const now = new Date();
      const { event } = await harness.store.insert(newEvent());
      await claimOrFail(harness.store, event.id, 'holder', MINUTE, now);
      const soon = shift(now, 1000);
      expect(
        await harness.store.claimById(event.id, { workerId: 'other', leaseMs: MINUTE, now: soon }),
      ).toBeUndefined();
      expect((await rawOrFail(harness, event.id)).lockedBy).toBe('holder');
      const renewed = await harness.store.claimById(event.id, {
        workerId: 'holder',
        leaseMs: MINUTE,
        now: soon,
      });
      expect(renewed?.lockedUntil).toEqual(shift(soon, MINUTE));
      const expired = shift(soon, MINUTE);
      const taken = await harness.store.claimById(event.id, {
        workerId: 'other',
        leaseMs: MINUTE,
        now: expired,
      });
      expect(taken?.lockedBy).toBe('other');
      expect(await rawOrFail(harness, event.id)).toMatchObject({
        lockedBy: 'other',
        lockedUntil: shift(expired, MINUTE),
      });
    });

    it('releaseLeases frees only that worker’s rows, leaves them untouched otherwise, and they are due again', async () => {
      const harness = context.harness();
      const now = new Date();
      const ids = (await harness.store.insertMany(newEvents(4))).map((result) => result.event.id);
      await claimOrFail(harness.store, ids[0]!, 'w1', HOUR, now);
      await claimOrFail(harness.store, ids[1]!, 'w1', HOUR, now);
      await claimOrFail(harness.store, ids[2]!, 'w2', HOUR, now);
      const before = await rawOrFail(harness, ids[0]!);
      const otherBefore = await rawOrFail(harness, ids[2]!);
      const released = await harness.store.releaseLeases([ids[0]!, ids[1]!, ids[2]!, 'evt_missing'], 'w1');
      expect(released).toBe(2);
      const after = await rawOrFail(harness, ids[0]!);
      expect(after).toMatchObject({ lockedBy: null, lockedUntil: null, status: 'pending', attempts: 0 });
      expect(after.nextRetryAt).toEqual(before.nextRetryAt);
      expect((await rawOrFail(harness, ids[1]!)).lockedBy).toBeNull();
      expect(await rawOrFail(harness, ids[2]!)).toEqual(otherBefore);
      expect(idsOf(await harness.store.listDue()).sort()).toEqual([ids[0], ids[1], ids[3]].sort());
      expect(await harness.store.releaseLeases([ids[0]!], 'w1')).toBe(0);
      expect(await harness.store.releaseLeases([], 'w1')).toBe(0);
    });

    it('an outcome after a claim releases the lease', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const [claimed] = await harness.store.claimDue({ workerId: 'w', limit: 1, leaseMs: HOUR });
      const retryAt = new Date(Date.now() - 1);
      await harness.store.recordOutcome(outcomeFor(claimed!, 'w', { kind: 'retry', nextRetryAt: retryAt }));
      expect(await rawOrFail(harness, event.id)).toMatchObject({ lockedBy: null, lockedUntil: null });
      expect(idsOf(await harness.store.listDue())).toEqual([event.id]);
    });
  });
}
