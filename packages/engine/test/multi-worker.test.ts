import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatcher } from '../src/index.js';
import { ALLOW_LOOPBACK, SECRET, waitUntil } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';
import { POSTGRES, requirePostgres } from './helpers/stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(POSTGRES.skip)('several workers on one Postgres store', () => {
  requirePostgres();

  it('deliver 5,000 events, each exactly once while all workers live', async () => {
    const shared = await POSTGRES.create();
    const receiver = await startReceiver();
    cleanups.push(
      () => shared.cleanup(),
      () => receiver.close(),
    );
    const workers: Dispatcher[] = ['worker-a', 'worker-b', 'worker-c'].map((workerId) =>
      createDispatcher({
        ssrfGuard: ALLOW_LOOPBACK,
        store: shared.another(),
        targetUrl: receiver.url,
        secret: SECRET,
        workerId,
        concurrency: 32,
        scheduler: { batchSize: 100, pollIntervalMs: 100 },
      }),
    );
    for (const worker of workers) cleanups.push(() => worker.close());

    for (let batch = 0; batch < 4; batch++) {
      await shared.store.insertMany(
        Array.from({ length: 1000 }, (_, i) => ({
          eventType: 'bulk',
          payload: { batch, i },
          targetUrl: receiver.url,
        })),
      );
    }
    for (const worker of workers) worker.start();
    // Meanwhile two workers enqueue more events themselves (hand-offs through their queues).
    await Promise.all(
      workers.slice(0, 2).map(async (worker, w) => {
        for (let i = 0; i < 500; i++) await worker.enqueue('live', { w, i });
      }),
    );

    await waitUntil(
      async () => (await shared.store.countByStatus()).delivered === 5000,
      '5000 events delivered',
      120_000,
    );
    const counts = receiver.countById();
    expect(counts.size).toBe(5000);
    const duplicates = [...counts].filter(([, count]) => count > 1);
    expect(duplicates).toEqual([]);
    const delivered = workers.map((worker) => worker.diagnostics().totals.delivered);
    expect(delivered.reduce((sum, n) => sum + n, 0)).toBe(5000);
    expect(delivered.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    expect(workers.map((worker) => worker.diagnostics().totals.leaseLosses)).toEqual([0, 0, 0]);
    expect(await shared.store.countByStatus()).toEqual({
      pending: 0,
      delivered: 5000,
      failed: 0,
      skipped: 0,
    });
  }, 180_000);
});
