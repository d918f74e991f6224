import type { WebhookEvent, WebhookStore } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../src/index.js';
import { type ChaosReceiver, DELIVERS, startChaosReceiver } from './helpers/chaos-receiver.js';
import { ALLOW_LOOPBACK, SECRET, waitUntil } from './helpers/fixtures.js';
import { requirePostgres, STORE_FACTORIES } from './helpers/stores.js';

// A receiver that misbehaves at random (seeded: CHAOS_SEED=<n> replays a run; the seed is in the test name)
// gets a few hundred events from a dispatcher with its scheduler, short timeouts and a fast retry schedule.
// Whatever it does, every event ends delivered or failed, every attempt is recorded and matches what the
// receiver saw, response capture stays capped, no lease is left, nothing rejects unhandled, stop returns.

const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const EVENTS = 300;
const MAX_ATTEMPTS = 4;
const TOTAL_TIMEOUT_MS = 1000;
const TIMED_OUT = /timeout/i;
const STORED_BODY_CAP = 512;
const HUGE_BYTES = 50 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every row of the store (they are few). */
async function allRows(store: WebhookStore): Promise<WebhookEvent[]> {
  const rows: WebhookEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.list({ order: 'asc', limit: 500, cursor });
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return rows;
}

/** Checks one row against its recorded attempts and what the receiver saw for its id. */
async function checkRow(store: WebhookStore, row: WebhookEvent, seen: ReturnType<ChaosReceiver['byId']>) {
  const where = `seed ${SEED}, event ${row.id}`;
  expect(['delivered', 'failed'], where).toContain(row.status);
  expect(row.lockedBy, `${where}: lease left behind`).toBeNull();
  const attempts = await store.listAttempts(row.id);
  expect(attempts.length, where).toBe(row.attempts);
  expect(
    attempts.map((attempt) => attempt.attemptNumber),
    where,
  ).toEqual(attempts.map((_, i) => i + 1));
  const requests = seen.get(row.id) ?? [];
  expect(requests.length, `${where}: attempts recorded vs requests the receiver saw`).toBe(row.attempts);
  const succeeded = attempts.map(
    (attempt) => attempt.responseStatus !== null && attempt.responseStatus < 300,
  );
  for (const [index, attempt] of attempts.entries()) {
    const action = requests[index]!.action;
    const what = `${where}: attempt ${index + 1} (${action}) -> ${attempt.responseStatus} ${attempt.error}`;
    expect(Buffer.byteLength(attempt.responseBody ?? ''), what).toBeLessThanOrEqual(STORED_BODY_CAP);
    // Never a false success. A good answer is missed only by the engine's timeout (on a loaded machine).
    if (succeeded[index]) expect(DELIVERS[action], what).toBe(true);
    else if (DELIVERS[action]) expect(attempt.error, what).toMatch(TIMED_OUT);
    const timedOut = TIMED_OUT.test(attempt.error ?? '');
    if (action === 'redirect' && !timedOut) {
      expect(attempt.responseStatus, what).toBe(307);
      expect(attempt.error, what).toContain('redirects are not followed');
    }
    if (action === 'error-500' && !timedOut) expect(attempt.responseStatus, what).toBe(500);
    if (action === 'too-slow' || action === 'drip-too-long') expect(attempt.error, what).toMatch(TIMED_OUT);
  }
  expect(Buffer.byteLength(row.responseBody ?? ''), where).toBeLessThanOrEqual(STORED_BODY_CAP);
  if (row.status === 'delivered') {
    expect(succeeded.at(-1), where).toBe(true);
    expect(succeeded.slice(0, -1).includes(true), where).toBe(false);
  } else {
    expect(row.attempts, where).toBe(MAX_ATTEMPTS);
    expect(succeeded.includes(true), where).toBe(false);
  }
}

describe.each(STORE_FACTORIES.map((factory, index) => ({ factory, index })))(
  `chaos receiver (seed ${SEED}): $factory.name store`,
  ({ factory, index }) => {
    describe.skipIf(factory.skip)('a few hundred events through a misbehaving receiver', () => {
      if (factory.name === 'postgres') requirePostgres();

      it('all end delivered or failed, every attempt recorded as the receiver saw it', async () => {
        const rejections: unknown[] = [];
        const onRejection = (reason: unknown): void => {
          rejections.push(reason);
        };
        process.on('unhandledRejection', onRejection);
        const { store, cleanup } = await factory.create();
        const chaos = await startChaosReceiver({
          seed: SEED + index,
          totalTimeoutMs: TOTAL_TIMEOUT_MS,
          hugeBytes: HUGE_BYTES,
        });
        const dispatcher = createDispatcher({
          ssrfGuard: ALLOW_LOOPBACK,
          store,
          targetUrl: chaos.url,
          secret: SECRET,
          deliveryMode: 'async',
          maxAttempts: MAX_ATTEMPTS,
          retry: { kind: 'schedule', delaysMs: [0, 10, 20, 40] },
          timeouts: { connectMs: 200, totalMs: TOTAL_TIMEOUT_MS },
          maxResponseBodyBytes: STORED_BODY_CAP,
          maxResponseReadBytes: 16 * 1024,
          concurrency: 32,
          scheduler: { pollIntervalMs: 20 },
        });
        try {
          dispatcher.start();
          const rssBefore = process.memoryUsage().rss;
          for (let n = 0; n < EVENTS; n++)
            await dispatcher.enqueue('chaos.test', { n, pad: 'x'.repeat(n % 200) });
          await waitUntil(
            async () => (await store.countByStatus()).pending === 0,
            `every event terminal (seed ${SEED})`,
            120_000,
          );
          const rssGrowth = process.memoryUsage().rss - rssBefore;

          // stop() returns (and close() after it), within a bound.
          const stopped = await Promise.race([
            dispatcher.stop().then(() => true),
            sleep(30_000).then(() => false),
          ]);
          expect(stopped, `stop() returned (seed ${SEED})`).toBe(true);

          const rows = await allRows(store);
          expect(rows).toHaveLength(EVENTS);
          const seen = chaos.byId();
          for (const row of rows) await checkRow(store, row, seen);

          // The run met every kind of misbehaviour, and nothing else reached the receiver.
          const actions = new Set(chaos.requests.map((request) => request.action));
          expect([...actions].sort(), `seed ${SEED}`).toEqual(Object.keys(DELIVERS).sort());
          expect(
            chaos.requests.some((request) => request.path !== '/hook'),
            'a redirect was followed',
          ).toBe(false);
          expect([...seen.keys()].every((id) => rows.some((row) => row.id === id))).toBe(true);
          expect(chaos.badSignatures, `seed ${SEED}`).toBe(0);
          const counts = await store.countByStatus();
          expect(counts.delivered + counts.failed).toBe(EVENTS);
          expect(counts.delivered).toBeGreaterThan(0);
          expect(counts.failed).toBeGreaterThan(0);

          // Huge bodies were cut off, not buffered: far less was written than asked for, and memory stayed flat.
          const huge = chaos.requests.filter((request) => request.action === 'huge').length;
          expect(huge).toBeGreaterThan(5);
          expect(chaos.hugeBytesWritten).toBeLessThan(huge * 8 * 1024 * 1024);
          expect(rssGrowth, `RSS grew ${rssGrowth} bytes over ${huge} huge responses`).toBeLessThan(
            150 * 1024 * 1024,
          );

          const diagnostics = dispatcher.diagnostics();
          expect(diagnostics.totals.delivered, `seed ${SEED}`).toBe(counts.delivered);
          expect(diagnostics.totals.failed, `seed ${SEED}`).toBe(counts.failed);
        } finally {
          await Promise.race([dispatcher.close({ deadlineMs: 1000 }), sleep(30_000)]);
          await chaos.close();
          await cleanup();
          process.off('unhandledRejection', onRejection);
        }
        expect(rejections, `unhandled rejections (seed ${SEED})`).toEqual([]);
      }, 240_000);
    });
  },
);
