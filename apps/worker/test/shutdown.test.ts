import { describe, expect, it } from 'vitest';
import { useWorkerFixture } from './helpers/fixture.js';
import { applicationName, eventually, unavailable } from './helpers/postgres.js';
import type { Reply } from './helpers/receiver.js';
import { spawnWorker, type WorkerProcess } from './helpers/worker-process.js';

const SECRET = 'shutdown-test-secret';
const skipped = unavailable ? ` (skipped: ${unavailable})` : '';

describe.skipIf(unavailable !== undefined)(`SIGTERM and SIGINT${skipped}`, () => {
  let replyFor: (id: string, seen: number) => Reply = () => ({});
  const fixture = useWorkerFixture('worker_shutdown', {
    secret: SECRET,
    reply: (id, seen) => replyFor(id, seen),
  });

  const start = (...extra: string[]): WorkerProcess =>
    spawnWorker([
      '--database-url',
      fixture.db.urlFor(applicationName('shutdown')),
      '--webhook-secret',
      SECRET,
      ...extra,
    ]);

  /** Starts a worker, inserts one event, and resolves once its request is open at the receiver. */
  async function startWithOpenRequest(...extra: string[]): Promise<{ worker: WorkerProcess; id: string }> {
    const worker = start(...extra);
    await worker.waitForLog((line) => line.msg === 'worker started');
    const [id] = await fixture.db.insertEvents(1, fixture.receiver.url);
    await fixture.receiver.waitFor((r) => r.counts.has(id!) && r.open === 1, 20_000, 'the request to arrive');
    return { worker, id: id! };
  }

  it('finishes the delivery in flight and records it before exiting 0', async () => {
    replyFor = () => ({ delayMs: 1500 });
    const { worker, id } = await startWithOpenRequest();

    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });

    const row = await fixture.db.store.get(id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, lockedBy: null, responseStatus: 200 });
    expect(await fixture.db.store.listAttempts(id)).toHaveLength(1);
    expect(fixture.receiver.open).toBe(0);
    expect(worker.logs.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        'stopping: no new claims; in-flight attempts may finish until the deadline',
        'worker stopped',
      ]),
    );
  });

  it('does not wait past --shutdown-timeout for a receiver that hangs, and releases the lease', async () => {
    replyFor = (_id, seen) => (seen === 0 ? { hang: true } : {});
    const { worker, id } = await startWithOpenRequest(
      '--shutdown-timeout',
      '1s',
      '--lease',
      '5m',
      '--request-timeout',
      '4m',
    );

    const stopAt = Date.now();
    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    // The deadline is 1 s; the margin covers releasing leases and closing connections on a busy machine.
    expect(Date.now() - stopAt).toBeLessThan(1000 + 9000);

    const row = await fixture.db.store.get(id);
    expect(row).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null, lockedUntil: null });
    expect(await fixture.db.store.listAttempts(id)).toEqual([]);

    // The released row is due again: another worker takes it at once (not after the 5-minute lease).
    const next = start();
    await eventually(
      async () => (await fixture.db.store.get(id))?.status === 'delivered',
      'the row delivered by the next worker',
    );
    expect(fixture.receiver.counts.get(id)).toBe(2);
    next.kill('SIGINT');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  });

  it('exits at once with 130 on a second signal', async () => {
    replyFor = () => ({ hang: true });
    const { worker } = await startWithOpenRequest(
      '--shutdown-timeout',
      '5m',
      '--lease',
      '10m',
      '--request-timeout',
      '9m',
    );

    worker.kill('SIGINT');
    await worker.waitForLog((line) => String(line.msg).startsWith('stopping'));
    worker.kill('SIGINT');
    expect(await worker.exited).toEqual({ code: 130, signal: null });
    expect(worker.logs.map((line) => line.msg)).toContain(
      'second signal: exiting now (in-flight leases expire on their own)',
    );
  });
});
