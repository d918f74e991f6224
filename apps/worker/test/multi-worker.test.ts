import { describe, expect, it } from 'vitest';
import { useWorkerFixture } from './helpers/fixture.js';
import { applicationName, eventually, unavailable } from './helpers/postgres.js';
import { spawnWorker } from './helpers/worker-process.js';

const SECRET = 'multi-worker-test-secret';
const EVENTS = 5000;
const skipped = unavailable ? ` (skipped: ${unavailable})` : '';

describe.skipIf(unavailable !== undefined)(`three worker processes on one PostgreSQL store${skipped}`, () => {
  const fixture = useWorkerFixture('worker_multi', { secret: SECRET });

  it('delivers 5,000 events exactly once each while every worker stays alive', async () => {
    const { db, receiver } = fixture;
    const workers = [1, 2, 3].map((n) =>
      spawnWorker([
        '--database-url',
        db.urlFor(applicationName(`multi${n}`)),
        '--webhook-secret',
        SECRET,
        '--concurrency',
        '64',
        '--batch-size',
        '100',
      ]),
    );
    await Promise.all(workers.map((worker) => worker.waitForLog((line) => line.msg === 'worker started')));
    const ids = await db.insertEvents(EVENTS, receiver.url);

    await receiver.waitFor((r) => r.counts.size === EVENTS, 90_000, 'every event at the receiver');
    await eventually(
      async () => (await db.store.countByStatus()).delivered === EVENTS,
      'every row delivered',
    );

    expect(await db.store.countByStatus()).toEqual({ pending: 0, delivered: EVENTS, failed: 0, skipped: 0 });
    expect(receiver.rejected).toBe(0);
    expect(receiver.duplicates()).toEqual([]);
    expect(new Set(receiver.counts.keys())).toEqual(new Set(ids));

    for (const worker of workers) worker.kill('SIGTERM');
    const exits = await Promise.all(workers.map((worker) => worker.exited));
    expect(exits.map((exit) => exit.code)).toEqual([0, 0, 0]);
    // Every worker took part: each one's last log line reports its own deliveries.
    const delivered = workers.map(
      (worker) => (worker.logs.find((line) => line.msg === 'worker stopped')?.delivered as number) ?? 0,
    );
    expect(delivered.reduce((sum, n) => sum + n, 0)).toBe(EVENTS);
    for (const n of delivered) expect(n).toBeGreaterThan(0);
  });

  it('wakes on new rows through LISTEN/NOTIFY, not by polling', async () => {
    const { db, receiver } = fixture;
    // With an hour between polls, only a notification can make the worker claim a row inserted later.
    const worker = spawnWorker([
      '--database-url',
      db.urlFor(applicationName('listen')),
      '--webhook-secret',
      SECRET,
      '--poll-interval',
      '1h',
    ]);
    await worker.waitForLog((line) => line.msg === 'worker started');
    for (const round of [1, 2, 3]) {
      const [id] = await db.insertEvents(1, receiver.url);
      await receiver.waitFor((r) => r.counts.has(id!), 20_000, `notified delivery ${round}`);
    }
    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
  });
});
