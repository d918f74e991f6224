import {
  type AttemptOutcome,
  InvalidInputError,
  type RecordResult,
  StoreUnavailableError,
  type WebhookStore,
} from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type DispatcherOptions } from '../src/index.js';
import { OutcomeBatcher } from '../src/outcome-batcher.js';
import { ALLOW_LOOPBACK, captureLogger, SECRET, waitUntil } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Wraps a store, letting a test replace some methods. */
function wrapStore(inner: WebhookStore, overrides: Partial<WebhookStore>): WebhookStore {
  return new Proxy(inner, {
    get(target, key) {
      if (key in overrides) return overrides[key as keyof WebhookStore];
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function setup(store: WebhookStore, options: Partial<DispatcherOptions> = {}) {
  const receiver = await startReceiver();
  const log = captureLogger();
  const dispatcher = createDispatcher({
    ssrfGuard: ALLOW_LOOPBACK,
    store,
    targetUrl: receiver.url,
    secret: SECRET,
    logger: log.logger,
    ...options,
  });
  cleanups.push(
    () => receiver.close(),
    () => dispatcher.close({ deadlineMs: 200 }),
  );
  return { receiver, dispatcher, log };
}

function insertDue(store: WebhookStore, url: string, n = 1) {
  return store.insertMany(
    Array.from({ length: n }, (_, i) => ({ eventType: 'due', payload: { i }, targetUrl: url })),
  );
}

describe('scheduler wake-ups', () => {
  it('wakes on store notifications instead of waiting for the poll interval', async () => {
    const store = createMemoryStore();
    const { receiver, dispatcher } = await setup(store, { scheduler: { pollIntervalMs: 3_600_000 } });
    dispatcher.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await insertDue(store, receiver.url, 3);
    await waitUntil(
      async () => (await store.countByStatus()).delivered === 3,
      'delivered after a wake-up',
      5000,
    );
  });

  it('falls back to polling when the store cannot notify', async () => {
    const inner = createMemoryStore();
    const store = wrapStore(inner, { subscribe: () => () => undefined });
    const { receiver, dispatcher } = await setup(store, { scheduler: { pollIntervalMs: 20 } });
    dispatcher.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await insertDue(inner, receiver.url, 2);
    await waitUntil(async () => (await inner.countByStatus()).delivered === 2, 'delivered by polling', 5000);
  });

  it('backs off while the store is unavailable, logs, and recovers without crashing', async () => {
    const inner = createMemoryStore();
    let failures = 0;
    const store = wrapStore(inner, {
      claimDue: async (options) => {
        if (failures < 3) {
          failures += 1;
          throw new StoreUnavailableError('the store is unavailable (test)');
        }
        return inner.claimDue(options);
      },
    });
    const { receiver, dispatcher, log } = await setup(store, {
      scheduler: { pollIntervalMs: 10, maxBackoffMs: 40 },
    });
    await insertDue(inner, receiver.url, 1);
    dispatcher.start();
    await waitUntil(
      async () => (await inner.countByStatus()).delivered === 1,
      'delivered after recovery',
      5000,
    );
    expect(failures).toBe(3);
    expect(dispatcher.diagnostics().totals.storeErrors).toBe(3);
    const warnings = log.lines.filter(
      (line) => line.msg === 'scheduler could not claim due events; retrying',
    );
    expect(warnings.map((line) => line.obj.retryInMs)).toEqual([10, 20, 40]);
  });
});

describe('scheduler stop and leases', () => {
  it('stop({ deadlineMs }) aborts what cannot finish and releases every lease it holds', async () => {
    const store = createMemoryStore();
    const { receiver, dispatcher } = await setup(store, { concurrency: 2, timeouts: { totalMs: 60_000 } });
    receiver.setDefault({ kind: 'hang' });
    const inserted = await insertDue(store, receiver.url, 5);
    dispatcher.start();
    await receiver.waitForRequests(2);
    expect(dispatcher.diagnostics().inFlight).toBe(2);
    const started = Date.now();
    await dispatcher.stop({ deadlineMs: 100 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(dispatcher.diagnostics().schedulerRunning).toBe(false);
    for (const { event } of inserted) {
      expect(await store.get(event.id)).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null });
    }
    expect(await store.listAttempts(inserted[0]!.event.id)).toEqual([]);
  });

  it('an outcome refused by fencing is counted as a lease loss', async () => {
    const store = createMemoryStore();
    const { receiver, dispatcher, log } = await setup(store, { workerId: 'worker-a' });
    receiver.setDefault({ kind: 'hang' });
    const event = (await insertDue(store, receiver.url, 1))[0]!.event;
    const running = dispatcher.deliverDue();
    await receiver.waitForRequests(1);
    // The lease is lost (as when it expires) and another worker takes the row.
    expect(await store.releaseLeases([event.id], 'worker-a')).toBe(1);
    expect(await store.claimById(event.id, { workerId: 'worker-b', leaseMs: 60_000 })).toBeDefined();
    receiver.release();
    await running;
    expect(dispatcher.diagnostics().totals.leaseLosses).toBe(1);
    expect(await store.get(event.id)).toMatchObject({ attempts: 0, lockedBy: 'worker-b' });
    expect(log.lines.some((line) => line.msg.includes('lease was lost'))).toBe(true);
  });
});

describe('scheduler bound on unrecorded work', () => {
  it('holds at most 2 x concurrency + one outcome batch of claimed rows while outcome writes lag', async () => {
    const inner = createMemoryStore();
    const concurrency = 2;
    const outcomeBatchSize = 3;
    const bound = concurrency * 2 + outcomeBatchSize;
    let maxLeased = 0;
    const slowWrites: Partial<WebhookStore> = {
      recordOutcomes: async (outcomes: readonly AttemptOutcome[]): Promise<RecordResult[]> => {
        const leased = (await inner.list({ status: 'pending', limit: 1000 })).items.filter(
          (row) => row.lockedBy !== null,
        ).length;
        maxLeased = Math.max(maxLeased, leased);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return inner.recordOutcomes(outcomes);
      },
    };
    const store = wrapStore(inner, slowWrites);
    const { receiver, dispatcher } = await setup(store, {
      concurrency,
      scheduler: { outcomeBatchSize, pollIntervalMs: 10 },
    });
    await insertDue(inner, receiver.url, 60);
    dispatcher.start();
    await waitUntil(async () => (await inner.countByStatus()).delivered === 60, 'all 60 delivered', 30_000);
    // Outcomes took 100 ms to write while attempts took ~1 ms: without the bound the scheduler would have
    // claimed (and sent) far more rows than it could record, all of them re-sent after a crash.
    expect(maxLeased).toBeGreaterThan(concurrency);
    expect(maxLeased).toBeLessThanOrEqual(bound);
    expect(receiver.requests).toHaveLength(60);
  });
});

describe('OutcomeBatcher', () => {
  function outcome(i: number): AttemptOutcome {
    const at = new Date();
    return {
      eventId: `evt_${i}`,
      workerId: 'w',
      attemptNumber: 1,
      attempt: { startedAt: at, finishedAt: at },
      result: { kind: 'delivered' },
    };
  }

  function recordingStore(behaviour: (batch: readonly AttemptOutcome[]) => RecordResult[] | Error) {
    const batches: number[] = [];
    const store = wrapStore(createMemoryStore(), {
      recordOutcomes: async (outcomes) => {
        batches.push(outcomes.length);
        const result = behaviour(outcomes);
        if (result instanceof Error) throw result;
        return result;
      },
      recordOutcome: async (item) => ({
        eventId: item.eventId,
        applied: item.eventId !== 'evt_bad',
        event: undefined,
        recordedAt: new Date(),
      }),
    });
    return { store, batches };
  }

  const applied = (batch: readonly AttemptOutcome[]): RecordResult[] =>
    batch.map((item) => ({ eventId: item.eventId, applied: true, event: undefined, recordedAt: new Date() }));

  it('writes full batches at once and the rest after flushMs, resolving each outcome', async () => {
    const { store, batches } = recordingStore(applied);
    const batcher = new OutcomeBatcher({ store, maxBatch: 100, flushMs: 20 });
    const results = await Promise.all(Array.from({ length: 250 }, (_, i) => batcher.add(outcome(i))));
    expect(batches).toEqual([100, 100, 50]);
    expect(results.map((result) => result.eventId)).toEqual(
      Array.from({ length: 250 }, (_, i) => `evt_${i}`),
    );
  });

  it('keeps at most maxWrites writes in flight; outcomes arriving meanwhile leave together', async () => {
    const batches: number[] = [];
    const gates: (() => void)[] = [];
    const store = wrapStore(createMemoryStore(), {
      recordOutcomes: async (outcomes) => {
        batches.push(outcomes.length);
        await new Promise<void>((resolve) => gates.push(resolve));
        return applied(outcomes);
      },
    });
    const batcher = new OutcomeBatcher({ store, maxBatch: 100, flushMs: 1, maxWrites: 1 });
    const first = batcher.add(outcome(0));
    await waitUntil(() => gates.length === 1, 'the first write started');
    const rest = Array.from({ length: 5 }, (_, i) => batcher.add(outcome(i + 1)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([1]);
    gates[0]!();
    await first;
    await waitUntil(() => gates.length === 2, 'the second write started');
    gates[1]!();
    await Promise.all(rest);
    expect(batches).toEqual([1, 5]);
  });

  it('writes what did not fit in a full batch once a write slot frees, without waiting for another add', async () => {
    const batches: number[] = [];
    const gates: (() => void)[] = [];
    const store = wrapStore(createMemoryStore(), {
      recordOutcomes: async (outcomes) => {
        batches.push(outcomes.length);
        await new Promise<void>((resolve) => gates.push(resolve));
        return applied(outcomes);
      },
    });
    const batcher = new OutcomeBatcher({ store, maxBatch: 10, flushMs: 1, maxWrites: 1 });
    const first = batcher.add(outcome(0));
    await waitUntil(() => gates.length === 1, 'the first write started');
    // 15 outcomes while the only write slot is busy: one full batch of 10 and 5 left over.
    const rest = Array.from({ length: 15 }, (_, i) => batcher.add(outcome(i + 1)));
    gates[0]!();
    await first;
    await waitUntil(() => gates.length === 2, 'the full batch started');
    gates[1]!();
    await waitUntil(() => gates.length === 3, 'the 5 left over started once the slot was free');
    gates[2]!();
    await Promise.all(rest);
    expect(batches).toEqual([1, 10, 5]);
  });

  it('retries a failing write, then rejects each outcome when the store stays down', async () => {
    let calls = 0;
    const { store } = recordingStore((batch) =>
      ++calls < 3 ? new StoreUnavailableError('down') : applied(batch),
    );
    const errors: boolean[] = [];
    const batcher = new OutcomeBatcher({
      store,
      maxBatch: 10,
      flushMs: 1,
      retryDelaysMs: [1, 1, 1],
      onStoreError: (_, willRetry) => errors.push(willRetry),
    });
    await expect(batcher.add(outcome(1))).resolves.toMatchObject({ applied: true });
    expect(errors).toEqual([true, true]);
    const { store: down } = recordingStore(() => new StoreUnavailableError('down'));
    const failing = new OutcomeBatcher({ store: down, maxBatch: 10, flushMs: 1, retryDelaysMs: [1] });
    await expect(failing.add(outcome(2))).rejects.toThrow('down');
  });

  it('falls back to one-by-one writes when a batch holds invalid input', async () => {
    const { store } = recordingStore(() => new InvalidInputError('bad outcome'));
    const batcher = new OutcomeBatcher({ store, maxBatch: 2, flushMs: 1 });
    const good = batcher.add(outcome(1));
    const bad = batcher.add({ ...outcome(2), eventId: 'evt_bad' });
    await expect(good).resolves.toMatchObject({ applied: true });
    await expect(bad).resolves.toMatchObject({ applied: false });
    await batcher.flush();
    expect(batcher.waiting).toBe(0);
  });
});
