import type { WebhookEvent } from '@hooks/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../src/index.js';
import { ALLOW_LOOPBACK, SECRET, waitUntil } from './helpers/fixtures.js';
import { type ReceivedRequest, type ReceiverAction, startReceiver } from './helpers/receiver.js';
import { requirePostgres, STORE_FACTORIES } from './helpers/stores.js';

// Batched outcomes are written without reading the rows back; `onSettled` gets the row built from the leased
// row and the outcome. It must be exactly the row the store now holds, on every store and for every ending.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The receiver's answer to event `n` of the run. */
function answer(request: ReceivedRequest): ReceiverAction {
  const { n } = JSON.parse(request.body) as { n: number };
  if (n === 2) return { kind: 'status', status: 500, body: 'broken' };
  if (n === 3) return { kind: 'status', status: 410, body: 'gone' };
  return { kind: 'status', status: 200, body: `ok ${n}` };
}

describe.each(STORE_FACTORIES)('$name store', (factory) => {
  describe.skipIf(factory.skip)('onSettled without reading rows back', () => {
    if (factory.name === 'postgres') requirePostgres();

    it('gets exactly the stored row: delivered, failed, skipped (410), hand-off and scheduler-claimed', async () => {
      const { store, cleanup } = await factory.create();
      const receiver = await startReceiver();
      receiver.setDefault(answer);
      const settled = new Map<string, WebhookEvent>();
      const dispatcher = createDispatcher({
        ssrfGuard: ALLOW_LOOPBACK,
        store,
        targetUrl: receiver.url,
        secret: SECRET,
        maxAttempts: 1,
        scheduler: { pollIntervalMs: 20 },
        onSettled: (event) => settled.set(event.id, event),
      });
      cleanups.push(
        cleanup,
        () => receiver.close(),
        () => dispatcher.close(),
      );
      dispatcher.start();
      const rows = [
        await dispatcher.enqueue('order.paid', { n: 1, nested: { list: [1, 'two', null] } }),
        await dispatcher.enqueue('order.failed', { n: 2 }),
        // Its own URL: a 410 disables the endpoint it came from (endpoint health), and the others must go on.
        await dispatcher.enqueue(
          'order.gone',
          { n: 3 },
          { idempotencyKey: 'gone-3', targetUrl: `${receiver.url}-gone` },
        ),
        // Delayed: the scheduler claims this one instead of the hand-off delivering it.
        await dispatcher.enqueue('order.later', { n: 4 }, { delay: 30 }),
      ];
      await waitUntil(() => settled.size === rows.length, 'every event settled');
      const statuses = rows.map((row) => settled.get(row.id)?.status);
      expect(statuses).toEqual(['delivered', 'failed', 'skipped', 'delivered']);
      for (const row of rows) expect(settled.get(row.id)).toEqual(await store.get(row.id));
      expect(settled.get(rows[1]!.id)).toMatchObject({ responseStatus: 500, responseBody: 'broken' });
      expect(settled.get(rows[3]!.id)).toMatchObject({ responseBody: 'ok 4', attempts: 1 });
    });
  });
});
