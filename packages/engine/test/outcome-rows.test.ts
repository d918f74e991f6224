import type { RecordOutcomesOptions, WebhookEvent, WebhookStore } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatcher } from '../src/index.js';
import { ALLOW_LOOPBACK, SECRET, waitUntil } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

// Batched outcomes ask the store for the rows they wrote only when `onSettled` will read them.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A memory store that remembers the options of every `recordOutcomes` call. */
function spyingStore(): { store: WebhookStore; calls: (RecordOutcomesOptions | undefined)[] } {
  const store = createMemoryStore();
  const calls: (RecordOutcomesOptions | undefined)[] = [];
  const recordOutcomes = store.recordOutcomes.bind(store);
  store.recordOutcomes = (outcomes, options) => {
    calls.push(options);
    return recordOutcomes(outcomes, options);
  };
  return { store, calls };
}

async function run(onSettled?: (event: WebhookEvent) => void): Promise<{
  calls: (RecordOutcomesOptions | undefined)[];
  dispatcher: Dispatcher;
  receiver: Receiver;
}> {
  const receiver = await startReceiver();
  const { store, calls } = spyingStore();
  const dispatcher = createDispatcher({
    store,
    targetUrl: receiver.url,
    secret: SECRET,
    ssrfGuard: ALLOW_LOOPBACK,
    onSettled,
  });
  cleanups.push(
    () => receiver.close(),
    () => dispatcher.close(),
  );
  await Promise.all([1, 2, 3].map((n) => dispatcher.enqueue('order.paid', { n })));
  await waitUntil(() => dispatcher.diagnostics().totals.delivered === 3, 'three deliveries recorded');
  return { calls, dispatcher, receiver };
}

describe('rows read back after batched outcomes', () => {
  it('without onSettled, outcomes are written without reading the rows back, and still counted', async () => {
    const { calls, dispatcher } = await run();
    expect(calls.length).toBeGreaterThan(0);
    for (const options of calls) expect(options).toEqual({ returnEvents: false });
    const rows = await dispatcher.store.list({ status: 'delivered' });
    expect(rows.items).toHaveLength(3);
  });

  it('with onSettled, rows are not read back either: onSettled gets each settled row exactly as stored', async () => {
    const settled: WebhookEvent[] = [];
    const { calls, dispatcher } = await run((event) => settled.push(event));
    for (const options of calls) expect(options).toEqual({ returnEvents: false });
    await waitUntil(() => settled.length === 3, 'three settled rows');
    expect(
      settled.map((event) => [event.status, event.attempts, (event.payload as { n: number }).n]).sort(),
    ).toEqual([
      ['delivered', 1, 1],
      ['delivered', 1, 2],
      ['delivered', 1, 3],
    ]);
    for (const event of settled) expect(event).toEqual(await dispatcher.store.get(event.id));
  });
});
