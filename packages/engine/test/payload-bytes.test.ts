import { toStrictJson } from '@hooks/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, type DispatcherOptions } from '../src/index.js';
import { manualClock, SECRET, verify, waitUntil } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';
import { requirePostgres, STORE_FACTORIES } from './helpers/stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The receiver is on 127.0.0.1: let deliveries to loopback past the SSRF guard. */
const LOOPBACK = { ssrfGuard: { allowLoopback: true } } as Partial<DispatcherOptions>;

/** Keys JSONB reorders (it sorts by length, then bytes), integer-like keys, unicode, nesting, numbers. */
const PAYLOAD = {
  zeta: 1,
  a: { yy: [1, 2.5, -0.125, 1e21, 'x'], b: null, t: true },
  ü: 'é\u2028"quoted"\\',
  '10': false,
  '2': 'two',
  long: 'z'.repeat(300),
};

describe.each(STORE_FACTORIES)('$name store', (factory) => {
  describe.skipIf(factory.skip)('payload bytes', () => {
    if (factory.name === 'postgres') requirePostgres();

    for (const mode of ['sync', 'async'] as const) {
      it(`every attempt (hand-off and retries, ${mode} mode) sends the same bytes, signed`, async () => {
        const { store, cleanup } = await factory.create();
        const receiver = await startReceiver();
        const clock = manualClock();
        const dispatcher = createDispatcher({
          ...LOOPBACK,
          store,
          targetUrl: receiver.url,
          secret: SECRET,
          deliveryMode: mode,
          clock,
          retry: { kind: 'schedule', delaysMs: [0, 1_000, 1_000] },
        });
        cleanups.push(
          cleanup,
          () => receiver.close(),
          () => dispatcher.close(),
        );
        receiver.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
        const event = await dispatcher.enqueue('order.paid', PAYLOAD);
        for (let attempt = 2; attempt <= 3; attempt++) {
          // Once the previous outcome is written (the row released, its retry scheduled), the retry is due.
          await waitUntil(
            async () => {
              const row = await store.get(event.id);
              return row?.attempts === attempt - 1 && row.lockedBy === null;
            },
            `attempt ${attempt - 1} of ${event.id} to be recorded`,
          );
          clock.advance(1_000);
          expect(await dispatcher.deliverDue()).toBe(1);
        }
        const bodies = receiver.requests.map((request) => request.body);
        expect(bodies).toHaveLength(3);
        expect(new Set(bodies).size).toBe(1);
        for (const request of receiver.requests)
          expect(verify(request.body, request.headers).id).toBe(event.id);
        expect(JSON.parse(bodies[0]!)).toEqual(PAYLOAD);
        // The memory and SQLite stores keep the text serialised at enqueue and send it verbatim; PostgreSQL keeps
        // JSONB (its own key order), so its rows are serialised again, the same way for every attempt.
        if (factory.name !== 'postgres') expect(bodies[0]).toBe(toStrictJson(PAYLOAD));
        const row = await store.get(event.id);
        expect(row).toMatchObject({ status: 'delivered', attempts: 3, payload: PAYLOAD });
      });
    }
  });
});
