import { UNBOUNDED_REPLAY_MESSAGE } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import {
  claimOrFail,
  expectInvalidInput,
  HOUR,
  idsOf,
  insertSettled,
  newEvent,
  newEvents,
  outcomeFor,
  pause,
  rawOrFail,
  settle,
  shift,
} from '../fixtures.js';
import type { RawEventRow, StoreHarness, SuiteContext } from '../harness.js';

async function rawRows(harness: StoreHarness, ids: readonly string[]): Promise<RawEventRow[]> {
  return Promise.all(ids.map((id) => rawOrFail(harness, id)));
}

/** Registers the tests of `replay`: required bounds, selectors, the cap, dry runs and the reset rows. */
export function replaySuite(context: SuiteContext): void {
  describe('replay', () => {
    it('refuses an unbounded selector with an InvalidInputError whose message shows examples', async () => {
      const harness = context.harness();
      await insertSettled(harness.store, newEvents(2), { kind: 'failed' });
      const error = await expectInvalidInput(() => harness.store.replay({}, { limit: 10 }), 'selector');
      expect(error.message).toContain(UNBOUNDED_REPLAY_MESSAGE);
      expect(error.message).toContain('Examples');
      const onlyStatus = await expectInvalidInput(
        () => harness.store.replay({ status: 'failed' }, { limit: 10 }),
        'selector',
      );
      expect(onlyStatus.message).toContain('limit');
      expect(await harness.store.countByStatus()).toMatchObject({ failed: 2, pending: 0 });
    });

    it('refuses a missing or out-of-range limit', async () => {
      const harness = context.harness();
      await insertSettled(
        harness.store,
        newEvents(1, () => ({ eventType: 'x' })),
        { kind: 'failed' },
      );
      const missing = await expectInvalidInput(
        () => harness.store.replay({ eventType: 'x' }, {} as unknown as { limit: number }),
        'limit',
      );
      expect(missing.message).toContain('Examples');
      await expectInvalidInput(() => harness.store.replay({ eventType: 'x' }, { limit: 0 }), 'limit');
      await expectInvalidInput(() => harness.store.replay({ eventType: 'x' }, { limit: 10_001 }), 'limit');
      expect(await harness.store.countByStatus()).toMatchObject({ failed: 1, pending: 0 });
    });

    it('resets replayed rows to pending, due now, with replayCount + 1, and reports them', async () => {
      const harness = context.harness();
      const [row] = await insertSettled(
        harness.store,
        [newEvent({ eventType: 'order.paid', nextRetryAt: new Date(Date.now() - HOUR) })],
        {
          kind: 'failed',
        },
      );
      const now = shift(new Date(), 1000);
      const report = await harness.store.replay({ ids: [row!.id] }, { limit: 10, now });
      expect(report).toEqual({
        dryRun: false,
        matched: 1,
        eligible: 1,
        replayed: 1,
        skippedForCap: 0,
        candidates: [
          {
            id: row!.id,
            eventType: 'order.paid',
            status: 'failed',
            replayCount: 0,
            insertedAt: row!.insertedAt,
            eligible: true,
          },
        ],
      });
      expect(await rawOrFail(harness, row!.id)).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextRetryAt: null,
        deliveredAt: null,
        lockedBy: null,
        lockedUntil: null,
        replayCount: 1,
        updatedAt: now,
      });
      expect(idsOf(await harness.store.listDue({ now }))).toEqual([row!.id]);
      const claimed = await claimOrFail(harness.store, row!.id, 'w');
      await harness.store.recordOutcome(outcomeFor(claimed, 'w', { kind: 'delivered' }));
      const attempts = await harness.store.listAttempts(row!.id);
      expect(attempts.map((attempt) => [attempt.attemptNumber, attempt.replayCount])).toEqual([
        [1, 0],
        [1, 1],
      ]);
      expect(await harness.raw.countAttempts(row!.id)).toBe(2);
    });

    it('selects failed rows by default, other terminal statuses on request, never pending rows', async () => {
      const harness = context.harness();
      const ids = (await harness.store.insertMany(newEvents(4, () => ({ eventType: 'mixed' })))).map(
        (result) => result.event.id,
      );
      await settle(harness.store, ids[0]!, { kind: 'failed' });
      await settle(harness.store, ids[1]!, { kind: 'delivered' });
      await settle(harness.store, ids[2]!, { kind: 'skipped', reason: 'gone' });
      const byDefault = await harness.store.replay({ eventType: 'mixed' }, { limit: 10 });
      expect(idsOf(byDefault.candidates)).toEqual([ids[0]]);
      const others = await harness.store.replay({ ids }, { limit: 10 });
      expect(others.matched).toBe(0);
      const chosen = await harness.store.replay({ ids, status: ['delivered', 'skipped'] }, { limit: 10 });
      expect(idsOf(chosen.candidates).sort()).toEqual([ids[1], ids[2]].sort());
      expect(await rawOrFail(harness, ids[1]!)).toMatchObject({
        status: 'pending',
        deliveredAt: null,
        replayCount: 1,
      });
      expect(await harness.store.countByStatus()).toEqual({
        pending: 4,
        delivered: 0,
        failed: 0,
        skipped: 0,
      });
      expect((await rawOrFail(harness, ids[3]!)).replayCount).toBe(0);
    });

    it('selects by ids, by event type and by an insertedAt range', async () => {
      const harness = context.harness();
      const [early] = await insertSettled(harness.store, [newEvent({ eventType: 'a' })], { kind: 'failed' });
      await pause(5);
      const [late] = await insertSettled(harness.store, [newEvent({ eventType: 'b' })], { kind: 'failed' });
      const lateAt = (await rawOrFail(harness, late!.id)).insertedAt;
      expect(lateAt.getTime()).toBeGreaterThan((await rawOrFail(harness, early!.id)).insertedAt.getTime());
      const byType = await harness.store.replay({ eventType: ['b', 'c'] }, { limit: 10, dryRun: true });
      expect(idsOf(byType.candidates)).toEqual([late!.id]);
      const byId = await harness.store.replay(
        { ids: [early!.id, 'evt_missing'] },
        { limit: 10, dryRun: true },
      );
      expect(idsOf(byId.candidates)).toEqual([early!.id]);
      const since = await harness.store.replay({ since: lateAt }, { limit: 10, dryRun: true });
      expect(idsOf(since.candidates)).toEqual([late!.id]);
      const until = await harness.store.replay({ until: lateAt }, { limit: 10, dryRun: true });
      expect(idsOf(until.candidates)).toEqual([early!.id]);
    });

    it('respects the limit, taking the oldest rows first', async () => {
      const harness = context.harness();
      const rows = await insertSettled(
        harness.store,
        newEvents(5, () => ({ eventType: 'bulk' })),
        {
          kind: 'failed',
        },
      );
      const report = await harness.store.replay({ eventType: 'bulk' }, { limit: 3 });
      expect(report).toMatchObject({ matched: 3, eligible: 3, replayed: 3, skippedForCap: 0 });
      expect(idsOf(report.candidates)).toEqual(idsOf(rows.slice(0, 3)));
      const raws = await rawRows(harness, idsOf(rows));
      expect(raws.map((raw) => raw.status)).toEqual(['pending', 'pending', 'pending', 'failed', 'failed']);
    });

    it('respects the replay cap and reports the rows it refused', async () => {
      const harness = context.harness();
      const [row] = await insertSettled(harness.store, [newEvent({ eventType: 'capped' })], {
        kind: 'failed',
      });
      expect((await harness.store.replay({ ids: [row!.id] }, { limit: 1, maxReplays: 1 })).replayed).toBe(1);
      await settle(harness.store, row!.id, { kind: 'failed' });
      const before = await rawOrFail(harness, row!.id);
      expect(before.replayCount).toBe(1);
      const report = await harness.store.replay({ eventType: 'capped' }, { limit: 5, maxReplays: 1 });
      expect(report).toMatchObject({ dryRun: false, matched: 1, eligible: 0, replayed: 0, skippedForCap: 1 });
      expect(report.candidates[0]).toMatchObject({ id: row!.id, replayCount: 1, eligible: false });
      expect(await rawOrFail(harness, row!.id)).toEqual(before);
      const zero = await harness.store.replay({ ids: [row!.id] }, { limit: 1, maxReplays: 0 });
      expect(zero).toMatchObject({ matched: 1, replayed: 0, skippedForCap: 1 });
      const more = await harness.store.replay({ ids: [row!.id] }, { limit: 1, maxReplays: 2 });
      expect(more.replayed).toBe(1);
      expect((await rawOrFail(harness, row!.id)).replayCount).toBe(2);
    });

    it('a dry run lists the candidates and writes nothing', async () => {
      const harness = context.harness();
      const rows = await insertSettled(
        harness.store,
        newEvents(3, () => ({ eventType: 'dry' })),
        { kind: 'failed' },
      );
      const before = await rawRows(harness, idsOf(rows));
      const report = await harness.store.replay(
        { eventType: 'dry' },
        { limit: 10, dryRun: true, now: shift(new Date(), HOUR) },
      );
      expect(report).toMatchObject({ dryRun: true, matched: 3, eligible: 3, replayed: 0, skippedForCap: 0 });
      expect(idsOf(report.candidates)).toEqual(idsOf(rows));
      expect(
        report.candidates.every((candidate) => candidate.eligible && candidate.status === 'failed'),
      ).toBe(true);
      expect(await rawRows(harness, idsOf(rows))).toEqual(before);
      expect(await harness.store.listDue({ now: shift(new Date(), HOUR) })).toEqual([]);
    });
  });
}
