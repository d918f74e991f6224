import type { WebhookEvent } from '@hooks/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, inspectMemoryStore } from '../src/index.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const SECOND = 1000;

/** Due by the public fields, as the store contract defines it. */
function isDue(event: WebhookEvent, now: number): boolean {
  return (
    event.status === 'pending' &&
    event.attempts < event.maxAttempts &&
    (event.nextRetryAt === null || event.nextRetryAt.getTime() <= now) &&
    (event.lockedUntil === null || event.lockedUntil.getTime() <= now)
  );
}

function dueOrder(a: WebhookEvent, b: WebhookEvent): number {
  const dueA = (a.nextRetryAt ?? a.insertedAt).getTime();
  const dueB = (b.nextRetryAt ?? b.insertedAt).getTime();
  return dueA - dueB || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

type Operation =
  | { kind: 'insert'; delayS: number | null; leased: boolean; maxAttempts: number }
  | { kind: 'claim'; atS: number; limit: number; worker: string }
  | { kind: 'outcome'; pick: number; result: 'delivered' | 'retry' | 'failed'; retryS: number }
  | { kind: 'release'; pick: number }
  | { kind: 'replay' }
  | { kind: 'tick'; s: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    delayS: fc.option(fc.integer({ min: -5, max: 20 })),
    leased: fc.boolean(),
    maxAttempts: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('claim' as const),
    atS: fc.integer({ min: -5, max: 60 }),
    limit: fc.integer({ min: 1, max: 4 }),
    worker: fc.constantFrom('w1', 'w2'),
  }),
  fc.record({
    kind: fc.constant('outcome' as const),
    pick: fc.nat(),
    result: fc.constantFrom('delivered' as const, 'retry' as const, 'failed' as const),
    retryS: fc.integer({ min: 0, max: 20 }),
  }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.constant({ kind: 'replay' as const }),
  fc.record({ kind: fc.constant('tick' as const), s: fc.integer({ min: 0, max: 30 }) }),
);

describe('due index (claims without scanning every row)', () => {
  it('listDue and claimDue take exactly the rows that are due, oldest first, after any history', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: -10, max: 120 }), { minLength: 1, maxLength: 4 }),
        async (operations, probesS) => {
          let clock = T0;
          const store = createMemoryStore({ clock: () => new Date(clock) });
          for (const op of operations) {
            const events = inspectMemoryStore(store).events;
            if (op.kind === 'insert') {
              await store.insert({
                eventType: 'e',
                payload: { n: events.length },
                maxAttempts: op.maxAttempts,
                nextRetryAt: op.delayS === null ? null : new Date(clock + op.delayS * SECOND),
                lease: op.leased ? { workerId: 'w1', leaseMs: 10 * SECOND } : undefined,
              });
            } else if (op.kind === 'claim') {
              await store.claimDue({
                workerId: op.worker,
                limit: op.limit,
                leaseMs: 10 * SECOND,
                now: new Date(clock + op.atS * SECOND),
              });
            } else if (op.kind === 'outcome' || op.kind === 'release') {
              const leased = events.filter((event) => event.lockedBy !== null && event.status === 'pending');
              const row = leased[op.pick % Math.max(1, leased.length)];
              if (row === undefined) continue;
              if (op.kind === 'release') await store.releaseLeases([row.id], row.lockedBy!);
              else {
                const at = new Date(clock);
                await store.recordOutcome({
                  eventId: row.id,
                  workerId: row.lockedBy!,
                  attemptNumber: row.attempts + 1,
                  attempt: { startedAt: at, finishedAt: at, responseStatus: 500 },
                  result:
                    op.result === 'retry'
                      ? { kind: 'retry', nextRetryAt: new Date(clock + op.retryS * SECOND) }
                      : { kind: op.result },
                });
              }
            } else if (op.kind === 'replay') {
              await store.replay({ status: ['failed', 'delivered'], since: new Date(0) }, { limit: 5 });
            } else clock += op.s * SECOND;
          }
          const events = inspectMemoryStore(store).events;
          for (const probeS of probesS) {
            const now = clock + probeS * SECOND;
            const expected = events.filter((event) => isDue(event, now)).sort(dueOrder);
            const listed = await store.listDue({ now: new Date(now), limit: 1000 });
            expect(listed.map((event) => event.id)).toEqual(expected.map((event) => event.id));
            // A small limit takes a subset of the due rows, still in due order.
            const few = await store.listDue({ now: new Date(now), limit: 2 });
            expect(few).toHaveLength(Math.min(2, expected.length));
            for (const event of few) expect(isDue(event, now)).toBe(true);
            expect([...few].sort(dueOrder)).toEqual(few);
          }
          // Claiming everything due takes each due row once, and then nothing is due.
          const now = clock + Math.max(...probesS) * SECOND;
          const due = events.filter((event) => isDue(event, now)).map((event) => event.id);
          const claimed: string[] = [];
          for (let round = 0; round < 100; round++) {
            const rows = await store.claimDue({
              workerId: 'w3',
              limit: 3,
              leaseMs: 3_600_000,
              now: new Date(now),
            });
            if (rows.length === 0) break;
            claimed.push(...rows.map((row) => row.id));
          }
          expect([...claimed].sort()).toEqual([...due].sort());
          expect(await store.listDue({ now: new Date(now), limit: 1000 })).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps working across many settled rows (stale heap entries are dropped and rebuilt)', async () => {
    let clock = T0;
    const store = createMemoryStore({ clock: () => new Date(clock) });
    for (let round = 0; round < 30; round++) {
      await store.insertMany(Array.from({ length: 100 }, (_, n) => ({ eventType: 'e', payload: { n } })));
      const rows = await store.claimDue({ workerId: 'w', limit: 1000, leaseMs: 60_000 });
      expect(rows).toHaveLength(100);
      const at = new Date(clock);
      await store.recordOutcomes(
        rows.map((row, index) => ({
          eventId: row.id,
          workerId: 'w',
          attemptNumber: 1,
          attempt: { startedAt: at, finishedAt: at },
          result:
            index % 10 === 0
              ? { kind: 'retry', nextRetryAt: new Date(T0 + 3_600_000) }
              : { kind: 'delivered' },
        })),
      );
      clock += 1000;
    }
    // Every tenth outcome of each round was a retry due in an hour: nothing is due before, all 300 after.
    expect(await store.listDue({ limit: 1000 })).toEqual([]);
    const due = await store.listDue({ now: new Date(T0 + 3_600_000), limit: 1000 });
    expect(due).toHaveLength(300);
    expect((await store.countByStatus()).delivered).toBe(2700);
  });
});
