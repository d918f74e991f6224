import { ConfigurationError, type WebhookEvent, type WebhookStore } from '@hooks/core';
import { afterEach, describe, expect, it } from 'vitest';
import { GONE_REASON } from '../src/attempt.js';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../src/index.js';
import {
  ALLOW_LOOPBACK,
  captureLogger,
  type ManualClock,
  manualClock,
  SECRET,
  waitUntil,
} from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { POSTGRES, SQLITE, STORE_FACTORIES, type StoreFactory, type TestStore } from './helpers/stores.js';

const HOUR = 3_600_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  receiver: Receiver;
  stores: TestStore;
  clock: ManualClock;
  open(store: WebhookStore, options?: Partial<DispatcherOptions>): Dispatcher;
}

async function setup(factory: StoreFactory): Promise<Setup> {
  const receiver = await startReceiver();
  const stores = await factory.create();
  const clock = manualClock();
  cleanups.push(
    () => receiver.close(),
    () => stores.cleanup(),
  );
  const open = (store: WebhookStore, options: Partial<DispatcherOptions> = {}): Dispatcher => {
    const dispatcher = createDispatcher({
      ssrfGuard: ALLOW_LOOPBACK,
      store,
      targetUrl: receiver.url,
      secret: SECRET,
      deliveryMode: 'sync',
      maxAttempts: 1,
      clock,
      ...options,
    });
    cleanups.push(() => dispatcher.close());
    return dispatcher;
  };
  return { receiver, stores, clock, open };
}

function skippedBecauseDisabled(row: WebhookEvent, reason: string): void {
  expect(row.status).toBe('skipped');
  expect(row.attempts).toBe(1);
  expect(row.lastError).toMatch(/^endpoint disabled since \d{4}-\d\d-\d\dT[\d:.]+Z: /);
  expect(row.lastError!.endsWith(`: ${reason}`)).toBe(true);
}

for (const factory of STORE_FACTORIES) {
  describe.skipIf(factory.skip)(`endpoint health on ${factory.name}`, () => {
    it('410 Gone stops attempts to the target: the next event is skipped without a request', async () => {
      const { receiver, stores, open } = await setup(factory);
      const log = captureLogger();
      const dispatcher = open(stores.store, { logger: log.logger });
      receiver.setDefault({ kind: 'status', status: 410 });
      const gone = await dispatcher.enqueue('order.paid', { n: 1 });
      expect(gone).toMatchObject({ status: 'skipped', lastError: GONE_REASON, responseStatus: 410 });
      receiver.setDefault({ kind: 'status', status: 200 });
      const next = await dispatcher.enqueue('order.paid', { n: 2 });
      skippedBecauseDisabled(next, '410 Gone');
      expect(receiver.requests).toHaveLength(1);
      expect(await stores.store.listAttempts(next.id)).toHaveLength(1);

      const [endpoint] = await stores.store.listEndpoints();
      expect(endpoint).toMatchObject({ url: receiver.url, state: 'disabled', disabledReason: '410 Gone' });
      expect(dispatcher.diagnostics().endpoints).toEqual([
        {
          url: receiver.url,
          state: 'disabled',
          consecutiveFailures: 1,
          failingSince: expect.any(String),
          disabledAt: endpoint!.disabledAt!.toISOString(),
          disabledReason: '410 Gone',
        },
      ]);
      const warnings = log.lines.filter(
        (line) => line.level === 'warn' && /endpoint disabled/.test(line.msg),
      );
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.obj).toMatchObject({ url: receiver.url, reason: '410 Gone' });
    });
  });
}

describe('endpoint health in async mode (batched writes)', () => {
  it('a 410 disables the target here at once, before the store write', async () => {
    const { receiver, stores, open } = await setup(SQLITE);
    const settled: WebhookEvent[] = [];
    const dispatcher = open(stores.store, {
      deliveryMode: 'async',
      onSettled: (event) => settled.push(event),
    });
    receiver.setDefault({ kind: 'status', status: 410 });
    await dispatcher.enqueue('order.paid', { n: 1 });
    await waitUntil(() => settled.length === 1, 'the first event settles');
    await dispatcher.enqueue('order.paid', { n: 2 });
    await waitUntil(() => settled.length === 2, 'the second event settles');
    expect(receiver.requests).toHaveLength(1);
    skippedBecauseDisabled(settled[1]!, '410 Gone');
    await waitUntil(
      async () => (await stores.store.listEndpoints({ state: 'disabled' })).length === 1,
      'the batched write reaches the store',
    );
  });
});

describe('auto-disable', () => {
  it('after N consecutive failed attempts (counted in the store), and not before', async () => {
    const { receiver, stores, open } = await setup(SQLITE);
    const dispatcher = open(stores.store, { endpointHealth: { disableAfterFailures: 3 } });
    receiver.setDefault({ kind: 'status', status: 500 });
    for (let n = 1; n <= 2; n++) expect((await dispatcher.enqueue('e', { n })).status).toBe('failed');
    expect(await stores.store.listEndpoints()).toMatchObject([{ state: 'failing', consecutiveFailures: 2 }]);
    expect(dispatcher.diagnostics().endpoints).toMatchObject([{ state: 'failing', consecutiveFailures: 2 }]);
    expect((await dispatcher.enqueue('e', { n: 3 })).status).toBe('failed');
    skippedBecauseDisabled(await dispatcher.enqueue('e', { n: 4 }), '3 consecutive failed attempts');
    expect(receiver.requests).toHaveLength(3);
  });

  it('a success ends the streak, so failures must be consecutive', async () => {
    const { receiver, stores, open } = await setup(SQLITE);
    const dispatcher = open(stores.store, { endpointHealth: { disableAfterFailures: 3 } });
    receiver.script(
      { kind: 'status', status: 500 },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 200 },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 500 },
    );
    const statuses: string[] = [];
    for (let n = 1; n <= 5; n++) statuses.push((await dispatcher.enqueue('e', { n })).status);
    expect(statuses).toEqual(['failed', 'failed', 'delivered', 'failed', 'failed']);
    const [endpoint] = await stores.store.listEndpoints();
    expect(endpoint).toMatchObject({ state: 'failing', consecutiveFailures: 2 });
    expect(endpoint!.lastSuccessAt).toBeInstanceOf(Date);
    expect(receiver.requests).toHaveLength(5);
  });

  it('after failing continuously for disableAfterMs (manual clock)', async () => {
    const { receiver, stores, clock, open } = await setup(SQLITE);
    const dispatcher = open(stores.store, { endpointHealth: { disableAfterMs: HOUR } });
    receiver.setDefault({ kind: 'status', status: 503 });
    const start = clock();
    await dispatcher.enqueue('e', { n: 1 });
    clock.advance(30 * 60_000);
    await dispatcher.enqueue('e', { n: 2 });
    expect(await stores.store.listEndpoints({ state: 'disabled' })).toEqual([]);
    clock.advance(31 * 60_000);
    await dispatcher.enqueue('e', { n: 3 });
    const [endpoint] = await stores.store.listEndpoints({ state: 'disabled' });
    expect(endpoint).toMatchObject({ consecutiveFailures: 3, disabledAt: clock() });
    const reason = `failing continuously since ${endpoint!.failingSince!.toISOString()}`;
    expect(endpoint!.disabledReason).toBe(reason);
    expect(endpoint!.failingSince!.getTime() - start.getTime()).toBeLessThan(60_000);
    skippedBecauseDisabled(await dispatcher.enqueue('e', { n: 4 }), reason);
    expect(receiver.requests).toHaveLength(3);
  });

  it('is off by default: 20 failures in a row never disable the target', async () => {
    const { receiver, stores, clock, open } = await setup(SQLITE);
    const dispatcher = open(stores.store);
    receiver.setDefault({ kind: 'status', status: 500 });
    for (let n = 1; n <= 20; n++) {
      await dispatcher.enqueue('e', { n });
      clock.advance(HOUR);
    }
    expect(await stores.store.listEndpoints()).toMatchObject([{ state: 'failing', consecutiveFailures: 20 }]);
    expect(receiver.requests).toHaveLength(20);
  });

  it('refuses bad thresholds with a ConfigurationError naming the option', () => {
    expect(() => createDispatcher({ endpointHealth: { disableAfterFailures: 0 } })).toThrow(
      ConfigurationError,
    );
    expect(() => createDispatcher({ endpointHealth: { disableAfterMs: 1.5 } })).toThrow(
      /endpointHealth\.disableAfterMs/,
    );
  });
});

for (const factory of [SQLITE, POSTGRES]) {
  describe.skipIf(factory.skip)(`endpoint health shared through ${factory.name}`, () => {
    it('a target disabled by one dispatcher is skipped by another, and after a restart', async () => {
      const { receiver, stores, open } = await setup(factory);
      // B re-reads the disabled targets every 20 ms (default 5 s): a shared store, another process's view.
      const b = open(stores.another(), { endpointHealth: { refreshMs: 20 } });
      const warmUp = await b.enqueue('e', { n: 0 });
      expect(warmUp.status).toBe('delivered');
      const a = open(stores.store);
      receiver.setDefault({ kind: 'status', status: 410 });
      await a.enqueue('e', { n: 1 });
      receiver.setDefault({ kind: 'status', status: 200 });
      await waitUntil(
        () => b.diagnostics().endpoints.some((endpoint) => endpoint.state === 'disabled'),
        'B reads the disabled target from the store',
      );
      skippedBecauseDisabled(await b.enqueue('e', { n: 2 }), '410 Gone');
      await a.close();
      await b.close();
      const restarted = open(stores.another());
      skippedBecauseDisabled(await restarted.enqueue('e', { n: 3 }), '410 Gone');
      expect(receiver.requests).toHaveLength(2);
    });

    it('enable + replay delivers the skipped events again', async () => {
      const { receiver, stores, open } = await setup(factory);
      const dispatcher = open(stores.store, { deliveryMode: 'async' });
      const settled = new Map<string, WebhookEvent>();
      const other = open(stores.another(), {
        onSettled: (event) => settled.set(event.id, event),
        deliveryMode: 'async',
      });
      receiver.setDefault({ kind: 'status', status: 410 });
      const first = await other.enqueue('e', { n: 1 });
      await waitUntil(() => settled.has(first.id), 'the 410 settles');
      const second = await other.enqueue('e', { n: 2 });
      await waitUntil(() => settled.has(second.id), 'the second event is skipped');
      skippedBecauseDisabled(settled.get(second.id)!, '410 Gone');
      await other.close();

      receiver.setDefault({ kind: 'status', status: 200 });
      expect(await dispatcher.enableEndpoint(receiver.url)).toMatchObject({ state: 'healthy' });
      expect(await dispatcher.listEndpoints({ state: 'disabled' })).toEqual([]);
      expect(dispatcher.diagnostics().endpoints).toEqual([]);
      const report = await dispatcher.replay(
        { ids: [first.id, second.id], status: 'skipped' },
        { limit: 10 },
      );
      expect(report.replayed).toBe(2);
      await waitUntil(async () => {
        const rows = await Promise.all([stores.store.get(first.id), stores.store.get(second.id)]);
        return rows.every((row) => row?.status === 'delivered');
      }, 'both replayed events are delivered');
      expect(receiver.requests).toHaveLength(3);
      expect(await dispatcher.enableEndpoint('https://unknown.example.test/')).toBeUndefined();
    });
  });
}

describe('an enable made elsewhere', () => {
  async function disabledByA(factory: StoreFactory, options: Partial<DispatcherOptions>) {
    const context = await setup(factory);
    const a = context.open(context.stores.store);
    const b = context.open(context.stores.another(), options);
    context.receiver.setDefault({ kind: 'status', status: 410 });
    await a.enqueue('e', { n: 1 });
    context.receiver.setDefault({ kind: 'status', status: 200 });
    skippedBecauseDisabled(await b.enqueue('e', { n: 2 }), '410 Gone');
    return { ...context, a, b };
  }

  it('is seen before the next skip after a store notification (memory: one store, two dispatchers)', async () => {
    const { receiver, a, b } = await disabledByA(STORE_FACTORIES[0]!, {});
    b.start();
    await a.enableEndpoint(receiver.url);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await b.enqueue('e', { n: 3 })).status).toBe('delivered');
    expect(receiver.requests).toHaveLength(2);
  });

  it('is seen before the next skip once refreshMs has passed (SQLite: no cross-process notifications)', async () => {
    const { receiver, a, b } = await disabledByA(SQLITE, { endpointHealth: { refreshMs: 20 } });
    await a.enableEndpoint(receiver.url);
    await new Promise((resolve) => setTimeout(resolve, 25));
    expect((await b.enqueue('e', { n: 3 })).status).toBe('delivered');
    expect(receiver.requests).toHaveLength(2);
  });
});

describe('the hot path', () => {
  it('adds no store call per delivered event: one read at the first delivery, no writes while healthy', async () => {
    const { receiver, stores, open } = await setup(SQLITE);
    const calls = { list: 0, record: 0 };
    const inner = stores.store;
    const counted = new Proxy(inner, {
      get(target, property) {
        if (property === 'listEndpoints') calls.list += 1;
        if (property === 'recordEndpointResults') calls.record += 1;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const settled: WebhookEvent[] = [];
    const observed = open(counted, { onSettled: (event) => settled.push(event) });
    for (let n = 0; n < 50; n++) await observed.enqueue('e', { n });
    expect(settled.filter((event) => event.status === 'delivered')).toHaveLength(50);
    expect(receiver.requests).toHaveLength(50);
    expect(calls).toEqual({ list: 1, record: 0 });
    receiver.setDefault({ kind: 'status', status: 500 });
    await observed.enqueue('e', { n: 50 });
    expect(calls.record).toBe(1);
    receiver.setDefault({ kind: 'status', status: 200 });
    await observed.enqueue('e', { n: 51 });
    await observed.enqueue('e', { n: 52 });
    // The success after a failure ends the streak (one write); the next success to a healthy target writes nothing.
    expect(calls.record).toBe(2);
  });
});

describe('diagnostics', () => {
  it('lists failing endpoints without credentials or query secrets', async () => {
    const { receiver, stores, open } = await setup(STORE_FACTORIES[0]!);
    const withSecrets = receiver.url.replace('http://', 'http://user:hunter2@') + '?token=s3cret';
    const dispatcher = open(stores.store, { targetUrl: withSecrets });
    receiver.setDefault({ kind: 'status', status: 500 });
    await dispatcher.enqueue('e', { n: 1 });
    const endpoints = dispatcher.diagnostics().endpoints;
    expect(endpoints).toMatchObject([{ url: `${receiver.url}?…`, state: 'failing', consecutiveFailures: 1 }]);
    expect(JSON.stringify(dispatcher.diagnostics())).not.toMatch(/hunter2|s3cret/);
  });
});
