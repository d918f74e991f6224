import { HooksError } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError, createDispatcher, type Dispatcher, type DispatcherOptions } from '../src/index.js';
import { ALLOW_LOOPBACK, SECRET } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

let receiver: Receiver;
afterEach(async () => {
  await receiver?.close();
});

/** Fails clearly (instead of timing the test out) if `promise` has not settled within 15 s. */
async function settlesSoon<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung`)), 15_000);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

async function hung(): Promise<Receiver> {
  receiver = await startReceiver();
  receiver.setDefault({ kind: 'hang' });
  return receiver;
}

/** A dispatcher in front of a receiver that never answers (requests may run for a minute). */
async function hungDispatcher(options: Partial<DispatcherOptions>) {
  const receiver = await hung();
  const store = createMemoryStore();
  const dispatcher = createDispatcher({
    ssrfGuard: ALLOW_LOOPBACK,
    store,
    targetUrl: receiver.url,
    secret: SECRET,
    timeouts: { totalMs: 60_000 },
    ...options,
  });
  return { receiver, store, dispatcher };
}

describe('close()', () => {
  it('never hangs in async mode with a hung receiver, and releases what it could not send', async () => {
    const { receiver, store, dispatcher } = await hungDispatcher({ concurrency: 2 });
    dispatcher.start();
    const rows = [];
    for (let n = 0; n < 6; n++) rows.push(await dispatcher.enqueue('tick', { n }));
    await receiver.waitForRequests(2);
    await settlesSoon(dispatcher.close({ deadlineMs: 100 }), 'close');
    for (const row of rows) {
      expect(await store.get(row.id)).toMatchObject({ status: 'pending', lockedBy: null, attempts: 0 });
    }
    expect(dispatcher.diagnostics().inFlight).toBe(0);
  });

  it('never hangs in sync mode: the in-flight enqueue resolves with its row released', async () => {
    const { receiver, dispatcher } = await hungDispatcher({ deliveryMode: 'sync' });
    const pending = dispatcher.enqueue('tick', {});
    await receiver.waitForRequests(1);
    await settlesSoon(dispatcher.close({ deadlineMs: 50 }), 'close');
    const row = await settlesSoon(pending, 'enqueue');
    expect(row).toMatchObject({ status: 'pending', lockedBy: null, attempts: 0 });
  });

  it('drains the queue when the receiver answers within the deadline', async () => {
    receiver = await startReceiver();
    receiver.setDefault({ kind: 'delay', ms: 20 });
    const store = createMemoryStore();
    const dispatcher = createDispatcher({
      ssrfGuard: ALLOW_LOOPBACK,
      store,
      targetUrl: receiver.url,
      secret: SECRET,
      concurrency: 1,
    });
    for (let n = 0; n < 5; n++) await dispatcher.enqueue('tick', { n });
    await dispatcher.close({ deadlineMs: 10_000 });
    expect((await store.countByStatus()).delivered).toBe(5);
  });

  it('does not close a caller-provided store, closes its own, and refuses work afterwards', async () => {
    receiver = await startReceiver();
    const mine = createMemoryStore();
    const withMine = createDispatcher({
      ssrfGuard: ALLOW_LOOPBACK,
      store: mine,
      targetUrl: receiver.url,
      secret: SECRET,
    });
    await withMine.close();
    await expect(mine.countByStatus()).resolves.toBeDefined();

    const withOwn: Dispatcher = createDispatcher({
      ssrfGuard: ALLOW_LOOPBACK,
      targetUrl: receiver.url,
      secret: SECRET,
    });
    await withOwn[Symbol.asyncDispose]();
    await expect(withOwn.store.countByStatus()).rejects.toSatisfy((error) => HooksError.isInstance(error));
    await expect(withOwn.enqueue('tick', {})).rejects.toSatisfy((error) => ClosedError.isInstance(error));
    expect(() => withOwn.start()).toThrow(/closed/);
    await withOwn.close();
  });
});
