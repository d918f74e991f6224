import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCase } from '../src/case-process.js';
import { type Receiver, startReceiver } from '../src/receiver-process.js';

// The real harness, small: a receiver process, and cases in their own processes, as `pnpm bench` runs them.
describe('the delivery harness', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  it('times a raw undici loop and counts every request it made at the receiver', async () => {
    await receiver.reset();
    const { result, usage } = await runCase({
      kind: 'raw',
      label: 'smoke-raw',
      options: { url: receiver.url, events: 300, warmup: 50, concurrency: 8, idPrefix: 'msg_smoke_raw' },
    });
    expect(result.events).toBe(300);
    expect(result.deliveriesPerSec).toBeGreaterThan(0);
    expect(result.latency.count).toBe(300);
    expect(usage.cpuMicros).toBeGreaterThan(0);
    expect(usage.peakRssBytes).toBeGreaterThan(0);
    expect(await receiver.stats()).toEqual({ requests: 350, unique: 350, duplicates: 0, missingId: 0 });
  });

  it.each(['memory', 'sqlite'] as const)(
    'delivers every @hooks event once through the %s store and reports a clean run',
    async (store) => {
      await receiver.reset();
      const { result } = await runCase({
        kind: 'hooks',
        label: `smoke-${store}`,
        options: {
          url: receiver.url,
          events: 300,
          warmup: 50,
          concurrency: 8,
          store,
          enqueue: 'single',
          workers: 1,
          databaseUrl: 'postgres://unused',
        },
      });
      expect(result.events).toBe(300);
      expect(result.deliveriesPerSec).toBeGreaterThan(0);
      expect(result.enqueuePerSec).toBeGreaterThan(0);
      expect(result.incidents).toEqual({ storeErrors: 0, leaseLosses: 0, retried: 0 });
      expect(await receiver.stats()).toEqual({ requests: 350, unique: 350, duplicates: 0, missingId: 0 });
    },
  );
});
