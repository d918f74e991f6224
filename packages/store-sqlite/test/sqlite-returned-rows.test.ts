import { join } from 'node:path';
import { type AttemptOutcome, type OutcomeResult, payloadJsonOf, type WebhookEvent } from '@hooks/core';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/index.js';
import { tempDir } from './sqlite-harness.js';

// Outcomes read back only the columns they did not set and rebuild the rest; attempt records go in with
// multi-row INSERTs. Every returned row must equal the row as a plain `get` reads it afterwards, and every
// attempt record must be there, in order, on both executors (better-sqlite3 and a caller's Kysely).

let temp: Awaited<ReturnType<typeof tempDir>>;
const toClose: { close(): unknown }[] = [];

beforeEach(async () => {
  temp = await tempDir();
});

afterEach(async () => {
  for (const item of toClose.splice(0).reverse()) await item.close();
  await temp.remove();
});

const OPENERS = {
  'better-sqlite3': () => createSqliteStore({ filename: join(temp.dir, 'a.db') }),
  kysely: () => {
    const database = new Database(join(temp.dir, 'k.db'));
    toClose.push(database);
    return createSqliteStore({ db: new Kysely({ dialect: new SqliteDialect({ database }) }) });
  },
};

async function expectAsStored(store: ReturnType<typeof createSqliteStore>, event: WebhookEvent | undefined) {
  expect(event).toBeDefined();
  expect({ ...event }).toEqual({ ...(await store.get(event!.id)) });
}

function outcome(row: WebhookEvent, result: OutcomeResult, index: number): AttemptOutcome {
  const startedAt = new Date(Date.now() - 1000 + index);
  return {
    eventId: row.id,
    workerId: row.lockedBy!,
    attemptNumber: row.attempts + 1,
    attempt: {
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 5 + index),
      responseStatus: 500 + (index % 5),
      responseBody: `body ${index} "q"`,
      error: index % 2 === 0 ? `HTTP ${500 + (index % 5)}` : null,
      requestHeaders: { 'webhook-id': row.id, n: String(index) },
    },
    result,
  };
}

describe.each(Object.entries(OPENERS))('%s', (_name, openStore) => {
  it('outcomes of every kind return their rows as stored and append every attempt record in order', async () => {
    const store = openStore();
    toClose.push(store);
    await store.init();
    const kinds = (index: number): OutcomeResult =>
      [
        { kind: 'delivered' } as const,
        { kind: 'retry', nextRetryAt: new Date(Date.now() + 60_000 + index) } as const,
        { kind: 'failed' } as const,
        { kind: 'skipped', reason: `gone ${index}` } as const,
      ][index % 4]!;
    // 45 outcomes: one 32-row, one 8-row and five 1-row attempt INSERTs.
    const inserted = await store.insertMany(
      Array.from({ length: 45 }, (_, index) => ({
        eventType: 'e',
        payload: { index },
        targetUrl: 'https://x.test/h',
      })),
    );
    const claimed = await store.claimDue({ workerId: 'w', limit: 100, leaseMs: 60_000 });
    for (const row of claimed) expect(payloadJsonOf(row)).toBe(JSON.stringify(row.payload));
    const byId = new Map(claimed.map((row) => [row.id, row]));
    const outcomes = inserted.map(({ event }, index) => outcome(byId.get(event.id)!, kinds(index), index));
    const results = await store.recordOutcomes(outcomes);
    expect(results.every((result) => result.applied)).toBe(true);
    for (const result of results) await expectAsStored(store, result.event);
    for (const [index, { event }] of inserted.entries()) {
      const [attempt] = await store.listAttempts(event.id);
      const sent = outcomes[index]!.attempt;
      expect(attempt).toMatchObject({
        eventId: event.id,
        attemptNumber: 1,
        startedAt: sent.startedAt,
        finishedAt: sent.finishedAt,
        durationMs: 5 + index,
        responseStatus: sent.responseStatus,
        responseBody: sent.responseBody,
        error: kinds(index).kind === 'skipped' ? `gone ${index}` : sent.error,
        requestHeaders: sent.requestHeaders,
        workerId: 'w',
      });
    }
    // One event twice in a batch: the second outcome is fenced by the first; a lost lease is refused.
    const retried = await store.claimDue({
      workerId: 'w2',
      limit: 1,
      leaseMs: 60_000,
      now: new Date(Date.now() + 120_000),
    });
    const [again, twice] = await store.recordOutcomes([
      outcome(retried[0]!, { kind: 'delivered' }, 1),
      outcome(retried[0]!, { kind: 'failed' }, 2),
    ]);
    expect([again!.applied, twice!.applied]).toEqual([true, false]);
    await expectAsStored(store, again!.event);
    await expectAsStored(store, twice!.event);
    expect((await store.listAttempts(retried[0]!.id)).map((attempt) => attempt.attemptNumber)).toEqual([
      1, 2,
    ]);
  });
});
