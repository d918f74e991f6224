import { type AttemptOutcome, settledEvent, type WebhookEvent } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE, newEvent, outcomeFor } from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

/** Over the store's 64 KiB cap for stored texts, with multi-byte characters at the cut. */
const LONG_TEXT = `${'é'.repeat(40_000)}end`;

/** One outcome of every kind for four leased rows; texts over the cap included. */
function outcomesFor(claimed: readonly WebhookEvent[], workerId: string): AttemptOutcome[] {
  return [
    outcomeFor(
      claimed[0]!,
      workerId,
      { kind: 'delivered' },
      { responseStatus: 200, responseBody: LONG_TEXT },
    ),
    outcomeFor(
      claimed[1]!,
      workerId,
      { kind: 'retry', nextRetryAt: new Date(Date.now() + HOUR) },
      { responseStatus: 503, error: 'HTTP 503', responseBody: 'busy' },
    ),
    outcomeFor(claimed[2]!, workerId, { kind: 'failed' }, { error: LONG_TEXT }),
    outcomeFor(
      claimed[3]!,
      workerId,
      { kind: 'skipped', reason: 'receiver answered 410 Gone' },
      {
        responseStatus: 410,
        error: 'ignored: a skip stores its reason',
      },
    ),
  ];
}

/** Registers the tests that `settledEvent` (core) builds exactly the rows the store writes and returns. */
export function settledRowsSuite(context: SuiteContext): void {
  describe('settled rows without reading them back', () => {
    it('settledEvent(leased row, outcome, recordedAt) is the row recordOutcomes returns, for every kind', async () => {
      const harness = context.harness();
      const inserted = await harness.store.insertMany([
        newEvent({ payload: { n: 1, nested: { list: [1, 'two', null] } } }),
        newEvent({ idempotencyKey: 'key-settled-2' }),
        newEvent({ maxAttempts: 3 }),
        newEvent(),
      ]);
      const claimed = await harness.store.claimDue({ workerId: 'w', limit: 4, leaseMs: MINUTE });
      expect(claimed.map((row) => row.id)).toEqual(inserted.map((result) => result.event.id));
      const outcomes = outcomesFor(claimed, 'w');
      const results = await harness.store.recordOutcomes(outcomes);
      for (const [index, result] of results.entries()) {
        expect(result.applied).toBe(true);
        expect(result.recordedAt).toBeInstanceOf(Date);
        const built = settledEvent(claimed[index]!, outcomes[index]!, result.recordedAt);
        expect(built).toEqual(result.event);
        expect(built).toEqual(await harness.store.get(result.eventId));
      }
    });

    it('with returnEvents: false the results still carry recordedAt, and the built rows are the stored rows', async () => {
      const harness = context.harness();
      await harness.store.insertMany([newEvent(), newEvent(), newEvent(), newEvent()]);
      const claimed = await harness.store.claimDue({ workerId: 'w', limit: 4, leaseMs: MINUTE });
      const outcomes = outcomesFor(claimed, 'w');
      const results = await harness.store.recordOutcomes(outcomes, { returnEvents: false });
      for (const [index, result] of results.entries()) {
        expect(result.event).toBeUndefined();
        expect(result.recordedAt).toBeInstanceOf(Date);
        const stored = await harness.store.get(result.eventId);
        expect(settledEvent(claimed[index]!, outcomes[index]!, result.recordedAt)).toEqual(stored);
      }
      // A single recordOutcome reports recordedAt too, also when the outcome is refused.
      const [row] = await harness.store.insertMany([newEvent()]);
      const [leased] = await harness.store.claimDue({ workerId: 'w', limit: 1, leaseMs: MINUTE });
      expect(leased?.id).toBe(row!.event.id);
      const refused = await harness.store.recordOutcome(
        outcomeFor(leased!, 'intruder', { kind: 'delivered' }),
      );
      expect(refused).toMatchObject({ applied: false, recordedAt: expect.any(Date) });
      const outcome = outcomeFor(leased!, 'w', { kind: 'delivered' });
      const applied = await harness.store.recordOutcome(outcome);
      expect(settledEvent(leased!, outcome, applied.recordedAt)).toEqual(applied.event);
    });
  });
}
