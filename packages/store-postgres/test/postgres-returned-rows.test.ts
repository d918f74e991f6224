import type { AttemptOutcome, OutcomeResult, WebhookEvent } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { requirePostgres, skipPostgres, trackTestStores } from './postgres-test-database.js';

// Inserts and outcomes read back only the columns the database decides and rebuild the rest from what they
// wrote: every row they return must equal the row as a plain `get` (select *) reads it afterwards.

const stores = trackTestStores();

function open(): PostgresStore {
  return stores.open();
}

async function expectAsStored(store: PostgresStore, event: WebhookEvent | undefined): Promise<void> {
  expect(event).toBeDefined();
  expect({ ...event }).toEqual({ ...(await store.get(event!.id)) });
}

function outcome(row: WebhookEvent, result: OutcomeResult, extra: Partial<AttemptOutcome['attempt']> = {}) {
  const startedAt = new Date();
  return {
    eventId: row.id,
    workerId: row.lockedBy!,
    attemptNumber: row.attempts + 1,
    attempt: {
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 7),
      responseStatus: 500,
      responseBody: 'nope "quoted" é\u0000',
      error: 'HTTP 500',
      requestHeaders: { 'webhook-id': row.id, 'x-odd': 'a"b\\c' },
      ...extra,
    },
    result,
  };
}

describe.skipIf(skipPostgres)('rows returned by insert and by outcomes', () => {
  requirePostgres();

  it('insert and insertMany return each row exactly as stored (payload in JSONB key order)', async () => {
    const store = open();
    const inSecond = new Date(Date.now() + 1000);
    const results = [
      await store.insert({
        eventType: 'a',
        payload: { z: 1, a: [1, 'x'], ü: null },
        targetUrl: 'https://x.test/h',
      }),
      await store.insert({ eventType: 'b', payload: null, nextRetryAt: inSecond, idempotencyKey: 'k-1' }),
      await store.insert({ eventType: 'c', payload: 'text', skip: { reason: 'no "target"' } }),
      await store.insert({ eventType: 'b', payload: 2, idempotencyKey: 'k-1' }),
      ...(await store.insertMany([
        {
          eventType: 'd',
          payload: { b: 2, a: 1 },
          lease: { workerId: 'w', leaseMs: 60_000 },
          targetUrl: 'https://x.test/h',
        },
        { eventType: 'e', payload: [true, 1.5], maxAttempts: 3, idempotencyKey: 'k-2' },
        { eventType: 'e', payload: [false], idempotencyKey: 'k-2' },
        { eventType: 'f', payload: { '10': 1, '2': 2, bb: 3, a: 4 }, idempotencyKey: 'k-1' },
      ])),
    ];
    expect(results.map((result) => result.created)).toEqual([
      true,
      true,
      true,
      false,
      true,
      true,
      false,
      false,
    ]);
    for (const { event } of results) await expectAsStored(store, event);
    expect(results[0]!.event.payload).toEqual({ z: 1, a: [1, 'x'], ü: null });
    expect(Object.keys(results[0]!.event.payload as object)).toEqual(['a', 'z', 'ü']);
    expect(results[6]!.event.id).toBe(results[5]!.event.id);
    expect(results[7]!.event.id).toBe(results[1]!.event.id);
  });

  it('each outcome kind returns the row exactly as stored', async () => {
    const store = open();
    const retryAt = new Date(Date.now() + 60_000);
    const kinds: OutcomeResult[] = [
      { kind: 'delivered' },
      { kind: 'retry', nextRetryAt: retryAt },
      { kind: 'failed' },
      { kind: 'skipped', reason: 'receiver answered 410 "Gone"' },
    ];
    const inserted = await store.insertMany(
      kinds.map((_, index) => ({
        eventType: `k${index}`,
        payload: { index },
        targetUrl: 'https://x.test/h',
      })),
    );
    const claimed = await store.claimDue({ workerId: 'w', limit: 10, leaseMs: 60_000 });
    expect(claimed).toHaveLength(kinds.length);
    const byId = new Map(claimed.map((row) => [row.id, row]));
    const results = await store.recordOutcomes(
      inserted.map(({ event }, index) => outcome(byId.get(event.id)!, kinds[index]!)),
    );
    expect(results.map((result) => result.applied)).toEqual([true, true, true, true]);
    for (const result of results) await expectAsStored(store, result.event);
    expect(results[0]!.event?.responseBody).toBe('nope "quoted" é\uFFFD');

    // A retried row delivered later keeps its last next_retry_at and gets its delivery time.
    const retried = (
      await store.claimDue({ workerId: 'w2', limit: 1, leaseMs: 60_000, now: new Date(Date.now() + 120_000) })
    )[0]!;
    expect(retried.id).toBe(inserted[1]!.event.id);
    const [delivered] = await store.recordOutcomes([
      outcome(retried, { kind: 'delivered' }, { responseStatus: 200, error: null, requestHeaders: null }),
    ]);
    expect(delivered!.event).toMatchObject({
      status: 'delivered',
      attempts: 2,
      nextRetryAt: retryAt,
    });
    await expectAsStored(store, delivered!.event);
    const attempts = await store.listAttempts(retried.id);
    expect(attempts.map((attempt) => attempt.requestHeaders)).toEqual([
      { 'webhook-id': retried.id, 'x-odd': 'a"b\\c' },
      null,
    ]);

    // A refused outcome (lease lost) returns the row as it is, unchanged.
    const [late] = await store.recordOutcomes([outcome(retried, { kind: 'failed' })]);
    expect(late!.applied).toBe(false);
    await expectAsStored(store, late!.event);
  });
});
