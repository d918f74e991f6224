import { terminatePostgresSessions } from '@hooks/app-shared';
import { describe, expect, it } from 'vitest';
import { useWorkerFixture } from './helpers/fixture.js';
import { applicationName, eventually, TEST_DATABASE_URL, unavailable } from './helpers/postgres.js';
import { spawnWorker } from './helpers/worker-process.js';

const SECRET = 'outage-test-secret';
const EVENTS = 2000;
const skipped = unavailable ? ` (skipped: ${unavailable})` : '';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(unavailable !== undefined)(`the database goes away for a few seconds${skipped}`, () => {
  // 16 attempts in flight of 50 ms each: at most ~320 deliveries/s, so however much the worker gets done
  // between the killed sessions, the 3 s outage ends with work still pending.
  const fixture = useWorkerFixture('worker_outage', { secret: SECRET, reply: () => ({ delayMs: 50 }) });

  it('logs, backs off, reconnects and finishes the work with nothing lost', async () => {
    const { db, receiver } = fixture;
    const name = applicationName('outage');
    const worker = spawnWorker([
      '--database-url',
      db.urlFor(name),
      '--webhook-secret',
      SECRET,
      '--concurrency',
      '16',
      '--lease',
      '3s',
      '--poll-interval',
      '200ms',
    ]);
    await worker.waitForLog((line) => line.msg === 'worker started');
    await db.insertEvents(EVENTS, receiver.url);
    await receiver.waitFor((r) => r.total >= 100, 30_000, 'the first deliveries');

    // Only this worker's sessions (found by application_name) are ended, over and over for ~3 s.
    let ended = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      ended += await terminatePostgresSessions(TEST_DATABASE_URL, name);
      await sleep(50);
    }
    expect(ended).toBeGreaterThan(0);
    expect(worker.child.exitCode, worker.stderr()).toBeNull();
    expect((await db.store.countByStatus()).pending).toBeGreaterThan(0);

    await eventually(
      async () => (await db.store.countByStatus()).delivered === EVENTS,
      'every event delivered after the outage',
      60_000,
    );
    expect(await db.store.countByStatus()).toEqual({ pending: 0, delivered: EVENTS, failed: 0, skipped: 0 });
    expect(receiver.counts.size).toBe(EVENTS);
    expect(receiver.rejected).toBe(0);

    // It said what happened: the store failed, and later answered again.
    const messages = worker.logs.map((line) => String(line.msg));
    expect(messages).toContain('store unavailable: claims fail; backing off until it answers');
    expect(messages).toContain('store reachable again; claiming');
    expect(worker.child.exitCode).toBeNull();

    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
  });
});
