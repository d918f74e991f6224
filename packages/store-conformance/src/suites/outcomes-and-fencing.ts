import { STORE_LIMITS, utf8Length } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import {
  claimOrFail,
  expectInvalidInput,
  expectSameRow,
  HOUR,
  idsOf,
  MINUTE,
  newEvent,
  outcomeFor,
  pause,
  rawOrFail,
  shift,
} from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

/** Registers the tests of `recordOutcome(s)`, `listAttempts` and fencing of stale workers. */
export function outcomesAndFencingSuite(context: SuiteContext): void {
  describe('outcomes and fencing', () => {
    it('delivered: row delivered with response fields, attempt appended, lease released', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const claimed = await claimOrFail(harness.store, event.id, 'w');
      await pause(3);
      const startedAt = new Date();
      const before = await rawOrFail(harness, event.id);
      expect(startedAt.getTime()).toBeGreaterThan(before.insertedAt.getTime());
      const result = await harness.store.recordOutcome(
        outcomeFor(
          claimed,
          'w',
          { kind: 'delivered' },
          { startedAt, responseStatus: 204, responseBody: 'fine' },
        ),
      );
      expect(result.applied).toBe(true);
      expect(result.eventId).toBe(event.id);
      const raw = await rawOrFail(harness, event.id);
      expect(raw).toMatchObject({
        status: 'delivered',
        attempts: 1,
        responseStatus: 204,
        responseBody: 'fine',
        lastError: null,
        lastAttemptAt: startedAt,
        lockedBy: null,
        lockedUntil: null,
      });
      expect(raw.deliveredAt).toBeInstanceOf(Date);
      expect(raw.updatedAt.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());
      expectSameRow(result.event!, raw);
      expect(await harness.raw.countAttempts(event.id)).toBe(1);
      expect(await harness.raw.countAttempts()).toBe(1);
    });

    it('retry: row pending with the new nextRetryAt and the error, due again only then', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const claimed = await claimOrFail(harness.store, event.id, 'w');
      const nextRetryAt = shift(new Date(), 10 * MINUTE);
      const result = await harness.store.recordOutcome(
        outcomeFor(claimed, 'w', { kind: 'retry', nextRetryAt }, { responseStatus: 503, error: 'HTTP 503' }),
      );
      expect(result.applied).toBe(true);
      expect(await rawOrFail(harness, event.id)).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextRetryAt,
        responseStatus: 503,
        lastError: 'HTTP 503',
        deliveredAt: null,
        lockedBy: null,
        lockedUntil: null,
      });
      expect(await harness.store.listDue({ now: shift(nextRetryAt, -1) })).toEqual([]);
      expect(idsOf(await harness.store.listDue({ now: nextRetryAt }))).toEqual([event.id]);
      expect(await harness.raw.countAttempts(event.id)).toBe(1);
    });

    it('failed: row failed with the error, lease released, never due again', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const claimed = await claimOrFail(harness.store, event.id, 'w');
      const result = await harness.store.recordOutcome(
        outcomeFor(claimed, 'w', { kind: 'failed' }, { responseStatus: 400, error: 'HTTP 400' }),
      );
      expect(result.applied).toBe(true);
      expect(await rawOrFail(harness, event.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        lastError: 'HTTP 400',
        responseStatus: 400,
        deliveredAt: null,
        lockedBy: null,
        lockedUntil: null,
      });
      expect(await harness.store.listDue({ now: shift(new Date(), HOUR) })).toEqual([]);
      expect(await harness.raw.countAttempts(event.id)).toBe(1);
    });

    it('skipped: row skipped with the reason as lastError, lease released', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const claimed = await claimOrFail(harness.store, event.id, 'w');
      const result = await harness.store.recordOutcome(
        outcomeFor(claimed, 'w', { kind: 'skipped', reason: 'endpoint gone (410)' }, { responseStatus: 410 }),
      );
      expect(result.applied).toBe(true);
      expect(await rawOrFail(harness, event.id)).toMatchObject({
        status: 'skipped',
        attempts: 1,
        lastError: 'endpoint gone (410)',
        lockedBy: null,
        lockedUntil: null,
      });
      expect(await harness.raw.countAttempts(event.id)).toBe(1);
    });

    it('listAttempts returns every attempt record, oldest first, with all its fields', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const first = await claimOrFail(harness.store, event.id, 'w1');
      const start1 = new Date(Date.now() - MINUTE);
      const headers = { 'webhook-id': event.id, 'content-type': 'application/json' };
      await harness.store.recordOutcome(
        outcomeFor(
          first,
          'w1',
          { kind: 'retry', nextRetryAt: new Date() },
          {
            startedAt: start1,
            finishedAt: shift(start1, 120),
            responseStatus: 500,
            error: 'HTTP 500',
            requestHeaders: headers,
          },
        ),
      );
      const second = await claimOrFail(harness.store, event.id, 'w2');
      expect(second.attempts).toBe(1);
      const start2 = new Date();
      await harness.store.recordOutcome(
        outcomeFor(
          second,
          'w2',
          { kind: 'delivered' },
          { startedAt: start2, responseBody: null, responseStatus: 200 },
        ),
      );
      const attempts = await harness.store.listAttempts(event.id);
      expect(attempts).toEqual([
        {
          eventId: event.id,
          attemptNumber: 1,
          replayCount: 0,
          startedAt: start1,
          finishedAt: shift(start1, 120),
          durationMs: 120,
          responseStatus: 500,
          responseBody: 'ok',
          error: 'HTTP 500',
          requestHeaders: headers,
          workerId: 'w1',
        },
        {
          eventId: event.id,
          attemptNumber: 2,
          replayCount: 0,
          startedAt: start2,
          finishedAt: shift(start2, 25),
          durationMs: 25,
          responseStatus: 200,
          responseBody: null,
          error: null,
          requestHeaders: null,
          workerId: 'w2',
        },
      ]);
      expect(await harness.raw.countAttempts(event.id)).toBe(2);
      expect(await harness.store.listAttempts('evt_unknown')).toEqual([]);
    });

    it('response bodies and errors are capped at 64 KiB', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const claimed = await claimOrFail(harness.store, event.id, 'w');
      const huge = 'é'.repeat(100 * 1024);
      await harness.store.recordOutcome(
        outcomeFor(claimed, 'w', { kind: 'failed' }, { responseBody: huge, error: huge }),
      );
      const raw = await rawOrFail(harness, event.id);
      expect(utf8Length(raw.responseBody!)).toBeLessThanOrEqual(STORE_LIMITS.maxTextBytes);
      expect(utf8Length(raw.lastError!)).toBeLessThanOrEqual(STORE_LIMITS.maxTextBytes);
      expect(raw.responseBody!.length).toBeGreaterThan(0);
      expect(huge.startsWith(raw.responseBody!)).toBe(true);
      const [attempt] = await harness.store.listAttempts(event.id);
      expect(utf8Length(attempt!.responseBody!)).toBeLessThanOrEqual(STORE_LIMITS.maxTextBytes);
    });

    it('recordOutcomes applies a batch and reports applied per outcome', async () => {
      const harness = context.harness();
      const ids = (await harness.store.insertMany([newEvent(), newEvent(), newEvent()])).map(
        (r) => r.event.id,
      );
      const claimed = await harness.store.claimDue({ workerId: 'w', limit: 3, leaseMs: MINUTE });
      expect(idsOf(claimed)).toEqual(ids);
      const results = await harness.store.recordOutcomes([
        outcomeFor(claimed[0]!, 'w', { kind: 'delivered' }),
        outcomeFor(claimed[1]!, 'intruder', { kind: 'delivered' }),
        outcomeFor(claimed[2]!, 'w', { kind: 'failed' }, { error: 'nope' }),
      ]);
      expect(results.map((result) => [result.eventId, result.applied])).toEqual([
        [ids[0], true],
        [ids[1], false],
        [ids[2], true],
      ]);
      expect((await rawOrFail(harness, ids[0]!)).status).toBe('delivered');
      expect(await rawOrFail(harness, ids[1]!)).toMatchObject({
        status: 'pending',
        attempts: 0,
        lockedBy: 'w',
      });
      expect((await rawOrFail(harness, ids[2]!)).status).toBe('failed');
      expect(await harness.raw.countAttempts()).toBe(2);
      expect(await harness.store.recordOutcomes([])).toEqual([]);
    });

    it('recordOutcomes with returnEvents: false writes the same and returns no rows', async () => {
      const harness = context.harness();
      const ids = (await harness.store.insertMany([newEvent(), newEvent(), newEvent()])).map(
        (r) => r.event.id,
      );
      const claimed = await harness.store.claimDue({ workerId: 'w', limit: 3, leaseMs: MINUTE });
      const outcomes = [
        outcomeFor(claimed[0]!, 'w', { kind: 'delivered' }, { responseBody: 'ok' }),
        outcomeFor(claimed[1]!, 'intruder', { kind: 'delivered' }),
        outcomeFor(claimed[2]!, 'w', { kind: 'retry', nextRetryAt: new Date(Date.now() + HOUR) }),
      ];
      const results = await harness.store.recordOutcomes(outcomes, { returnEvents: false });
      const recordedAt = expect.any(Date);
      expect(results).toEqual([
        { eventId: ids[0], applied: true, event: undefined, recordedAt },
        { eventId: ids[1], applied: false, event: undefined, recordedAt },
        { eventId: ids[2], applied: true, event: undefined, recordedAt },
      ]);
      expect(await rawOrFail(harness, ids[0]!)).toMatchObject({
        status: 'delivered',
        attempts: 1,
        responseBody: 'ok',
        lockedBy: null,
      });
      expect(await rawOrFail(harness, ids[1]!)).toMatchObject({
        status: 'pending',
        attempts: 0,
        lockedBy: 'w',
      });
      expect(await rawOrFail(harness, ids[2]!)).toMatchObject({
        status: 'pending',
        attempts: 1,
        lockedBy: null,
      });
      expect(await harness.raw.countAttempts()).toBe(2);
      // The default (and returnEvents: true) still returns the rows.
      const again = await harness.store.claimById(ids[2]!, { workerId: 'w', leaseMs: MINUTE });
      const [withRow] = await harness.store.recordOutcomes([outcomeFor(again!, 'w', { kind: 'delivered' })], {
        returnEvents: true,
      });
      expect(withRow?.event).toMatchObject({ id: ids[2], status: 'delivered', attempts: 2 });
    });

    it('recordOutcomes refuses options that are not an object with a boolean returnEvents, writing nothing', async () => {
      const harness = context.harness();
      await harness.store.insert(newEvent());
      const [row] = await harness.store.claimDue({ workerId: 'w', limit: 1, leaseMs: MINUTE });
      const outcome = outcomeFor(row!, 'w', { kind: 'delivered' });
      await expectInvalidInput(
        () => harness.store.recordOutcomes([outcome], { returnEvents: 'no' as unknown as boolean }),
        'options.returnEvents',
      );
      await expectInvalidInput(() => harness.store.recordOutcomes([outcome], 5 as never), 'options');
      expect(await harness.raw.countAttempts()).toBe(0);
      expect(await rawOrFail(harness, row!.id)).toMatchObject({ status: 'pending', attempts: 0 });
    });

    it('recordOutcomes with one invalid outcome applies none of them', async () => {
      const harness = context.harness();
      await harness.store.insertMany([newEvent(), newEvent()]);
      const claimed = await harness.store.claimDue({ workerId: 'w', limit: 2, leaseMs: MINUTE });
      const bad = { ...outcomeFor(claimed[1]!, 'w', { kind: 'delivered' }), attemptNumber: 0 };
      await expectInvalidInput(
        () => harness.store.recordOutcomes([outcomeFor(claimed[0]!, 'w', { kind: 'delivered' }), bad]),
        'attemptNumber',
      );
      expect(await harness.raw.countAttempts()).toBe(0);
      expect(await rawOrFail(harness, claimed[0]!.id)).toMatchObject({ status: 'pending', attempts: 0 });
    });

    it('fencing: a stale worker’s late outcome after another worker claimed and recorded changes nothing', async () => {
      const harness = context.harness();
      const now = new Date();
      const { event } = await harness.store.insert(newEvent());
      const [stale] = await harness.store.claimDue({ workerId: 'stale', limit: 1, leaseMs: 1000, now });
      const [fresh] = await harness.store.claimDue({
        workerId: 'fresh',
        limit: 1,
        leaseMs: MINUTE,
        now: shift(now, 2000),
      });
      expect(fresh?.id).toBe(event.id);
      const applied = await harness.store.recordOutcome(
        outcomeFor(fresh!, 'fresh', { kind: 'delivered' }, { responseStatus: 200 }),
      );
      expect(applied.applied).toBe(true);
      const settled = await rawOrFail(harness, event.id);
      const late = await harness.store.recordOutcome(
        outcomeFor(stale!, 'stale', { kind: 'failed' }, { responseStatus: 500, error: 'late failure' }),
      );
      expect(late.applied).toBe(false);
      expect(late.event?.status).toBe('delivered');
      expect(await rawOrFail(harness, event.id)).toEqual(settled);
      expect(await harness.raw.countAttempts(event.id)).toBe(1);
    });

    it('fencing: a stale worker’s outcome while another worker holds the lease changes nothing', async () => {
      const harness = context.harness();
      const now = new Date();
      const { event } = await harness.store.insert(newEvent());
      const stale = await claimOrFail(harness.store, event.id, 'stale', 1000, now);
      await claimOrFail(harness.store, event.id, 'fresh', MINUTE, shift(now, 2000));
      const before = await rawOrFail(harness, event.id);
      const late = await harness.store.recordOutcome(
        outcomeFor(stale, 'stale', { kind: 'retry', nextRetryAt: shift(now, HOUR) }),
      );
      expect(late.applied).toBe(false);
      expect(await rawOrFail(harness, event.id)).toEqual(before);
      expect(before.lockedBy).toBe('fresh');
      expect(await harness.raw.countAttempts()).toBe(0);
    });

    it('fencing: a wrong attempt number, a terminal row or an unknown id is not applied', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const claimed = await claimOrFail(harness.store, event.id, 'w');
      const wrong = await harness.store.recordOutcome({
        ...outcomeFor(claimed, 'w', { kind: 'delivered' }),
        attemptNumber: 2,
      });
      expect(wrong.applied).toBe(false);
      expect(await rawOrFail(harness, event.id)).toMatchObject({
        status: 'pending',
        attempts: 0,
        lockedBy: 'w',
      });
      expect((await harness.store.recordOutcome(outcomeFor(claimed, 'w', { kind: 'failed' }))).applied).toBe(
        true,
      );
      const terminal = await rawOrFail(harness, event.id);
      const again = await harness.store.recordOutcome(outcomeFor(claimed, 'w', { kind: 'delivered' }));
      expect(again.applied).toBe(false);
      expect(await rawOrFail(harness, event.id)).toEqual(terminal);
      const missing = await harness.store.recordOutcome({
        ...outcomeFor(claimed, 'w', { kind: 'delivered' }),
        eventId: 'evt_missing',
      });
      expect(missing).toEqual({
        eventId: 'evt_missing',
        applied: false,
        event: undefined,
        recordedAt: expect.any(Date),
      });
      expect(await harness.raw.countAttempts()).toBe(1);
    });

    it('an outcome after the lease ran out still applies when no other worker took the row', async () => {
      const harness = context.harness();
      const past = new Date(Date.now() - HOUR);
      const { event } = await harness.store.insert(newEvent());
      const claimed = await claimOrFail(harness.store, event.id, 'slow', 1000, past);
      const result = await harness.store.recordOutcome(outcomeFor(claimed, 'slow', { kind: 'delivered' }));
      expect(result.applied).toBe(true);
      expect((await rawOrFail(harness, event.id)).status).toBe('delivered');
    });

    it('an outcome without a claim (row not leased) is not applied', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const result = await harness.store.recordOutcome(outcomeFor(event, 'w', { kind: 'delivered' }));
      expect(result.applied).toBe(false);
      expect(result.event?.status).toBe('pending');
      expect(await harness.raw.countAttempts()).toBe(0);
    });

    it('attempt numbers continue across retries (1, 2, 3) and each needs a fresh claim', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent({ maxAttempts: 3 }));
      for (let number = 1; number <= 3; number++) {
        const claimed = await claimOrFail(harness.store, event.id, `w${number}`);
        expect(claimed.attempts).toBe(number - 1);
        const result =
          number < 3 ? { kind: 'retry' as const, nextRetryAt: new Date() } : { kind: 'failed' as const };
        const recorded = await harness.store.recordOutcome(outcomeFor(claimed, `w${number}`, result));
        expect(recorded.applied).toBe(true);
      }
      const attempts = await harness.store.listAttempts(event.id);
      expect(attempts.map((attempt) => [attempt.attemptNumber, attempt.workerId])).toEqual([
        [1, 'w1'],
        [2, 'w2'],
        [3, 'w3'],
      ]);
      expect(await rawOrFail(harness, event.id)).toMatchObject({ status: 'failed', attempts: 3 });
      expect(await harness.raw.countAttempts(event.id)).toBe(3);
    });
  });
}
