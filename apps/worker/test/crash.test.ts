import { describe, expect, it } from 'vitest';
import { useWorkerFixture } from './helpers/fixture.js';
import { allRows, applicationName, eventually, unavailable } from './helpers/postgres.js';
import { spawnWorker, type WorkerProcess } from './helpers/worker-process.js';

const SECRET = 'crash-test-secret';
const EVENTS = 3000;
const CONCURRENCY = 16;
const KILLS = 3;
/** The engine's default `scheduler.outcomeBatchSize` (the worker does not change it). */
const OUTCOME_BATCH = 100;
const skipped = unavailable ? ` (skipped: ${unavailable})` : '';

describe.skipIf(unavailable !== undefined)(`kill -9 while delivering${skipped}`, () => {
  // A little latency so that every kill lands while attempts are in flight.
  const fixture = useWorkerFixture('worker_crash', { secret: SECRET, reply: () => ({ delayMs: 5 }) });

  const start = (): WorkerProcess =>
    spawnWorker([
      '--database-url',
      fixture.db.urlFor(applicationName('crash')),
      '--webhook-secret',
      SECRET,
      '--concurrency',
      String(CONCURRENCY),
      '--lease',
      '2s',
      '--poll-interval',
      '200ms',
    ]);

  it('loses nothing and re-sends at most the attempts in flight at each kill', async () => {
    const { db, receiver } = fixture;
    await db.insertEvents(EVENTS, receiver.url);
    let killed = 0;
    for (let round = 1; round <= KILLS; round++) {
      const worker = start();
      const before = receiver.total;
      // Kill once this incarnation has delivered a few hundred events: it is mid-stream.
      await receiver.waitFor((r) => r.total >= before + 300, 30_000, `round ${round} deliveries`);
      worker.kill('SIGKILL');
      expect((await worker.exited).signal).toBe('SIGKILL');
      killed += 1;
      expect((await db.store.countByStatus()).pending).toBeGreaterThan(0);
    }
    const survivor = start();
    await eventually(
      async () => (await db.store.countByStatus()).delivered === EVENTS,
      'every event delivered after the crashes',
      60_000,
    );

    expect(await db.store.countByStatus()).toEqual({ pending: 0, delivered: EVENTS, failed: 0, skipped: 0 });
    // Nothing is left holding a lease of a dead worker.
    expect((await allRows(db.store)).filter((row) => row.lockedBy !== null)).toEqual([]);
    expect(receiver.counts.size).toBe(EVENTS);
    expect(receiver.rejected).toBe(0);
    // Only attempts made but not yet recorded when a worker died can reach the receiver twice: outcomes
    // are written in batches (up to OUTCOME_BATCH) after the HTTP exchange frees its slot, and a worker
    // holds at most 2 x concurrency + one batch of claimed rows until their outcomes are written.
    const extra = receiver.duplicates().reduce((sum, [, count]) => sum + count - 1, 0);
    expect(extra).toBeLessThanOrEqual((2 * CONCURRENCY + OUTCOME_BATCH) * killed);

    survivor.kill('SIGTERM');
    expect((await survivor.exited).code).toBe(0);
  });
});
