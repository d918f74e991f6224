import { DeliveryError } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { createAttemptSettings, runAttempt } from '../src/attempt.js';
import { resolveDispatcherOptions } from '../src/dispatcher-options.js';
import { createHttpClient } from '../src/http-client.js';
import { createDispatcher, type Dispatcher, type DispatcherOptions, USER_AGENT } from '../src/index.js';
import { ALLOW_LOOPBACK, closedPort, manualClock, SECRET, verify } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<DispatcherOptions> = {}) {
  const receiver = await startReceiver();
  const clock = manualClock();
  const store = createMemoryStore();
  const dispatcher = createDispatcher({
    ssrfGuard: ALLOW_LOOPBACK,
    store,
    targetUrl: receiver.url,
    secret: SECRET,
    deliveryMode: 'sync',
    clock,
    random: () => 0.5,
    ...options,
  });
  cleanups.push(
    () => receiver.close(),
    () => dispatcher.close(),
  );
  return { receiver, clock, store, dispatcher };
}

async function once(dispatcher: Dispatcher, receiver: Receiver, ...actions: Parameters<Receiver['script']>) {
  receiver.script(...actions);
  return dispatcher.enqueue('order.paid', { orderId: 42, note: 'héllo' });
}

describe('a successful attempt', () => {
  it('is delivered, signed with the row id, and recorded with its attempt', async () => {
    const { receiver, clock, store, dispatcher } = await setup({ headers: { 'X-Tenant': 'acme' } });
    receiver.setDefault({ kind: 'status', status: 202, body: 'accepted' });
    const row = await dispatcher.enqueue('order.paid', { orderId: 42 });
    expect(row).toMatchObject({
      status: 'delivered',
      attempts: 1,
      responseStatus: 202,
      responseBody: 'accepted',
      lastError: null,
      lockedBy: null,
    });
    expect(row.deliveredAt).toBeInstanceOf(Date);
    const [request] = receiver.requests;
    expect(request!.body).toBe(JSON.stringify({ orderId: 42 }));
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^hooks\/\d+\.\d+\.\d+/);
    expect(request!.headers['x-tenant']).toBe('acme');
    expect(request!.headers['webhook-id']).toBe(row.id);
    expect(request!.headers['webhook-timestamp']).toBe(String(clock.ms / 1000));
    expect(verify(request!.body, request!.headers)).toEqual({ id: row.id, timestamp: new Date(clock.ms) });
    const attempts = await store.listAttempts(row.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attemptNumber: 1, responseStatus: 202, error: null });
    expect(attempts[0]!.requestHeaders).toMatchObject({
      'webhook-id': row.id,
      'content-type': 'application/json',
      'x-tenant': '[redacted]',
    });
  });

  it('signs every attempt afresh: a new timestamp, the same id', async () => {
    const { receiver, clock, dispatcher } = await setup();
    const first = await once(dispatcher, receiver, { kind: 'status', status: 500 });
    clock.advance(5_000);
    const second = await dispatcher.deliverNow(first.id);
    expect(second).toMatchObject({ status: 'delivered', attempts: 2 });
    const [a, b] = receiver.requests;
    expect(a!.id).toBe(first.id);
    expect(b!.id).toBe(first.id);
    expect(Number(b!.headers['webhook-timestamp']) - Number(a!.headers['webhook-timestamp'])).toBe(5);
    expect(a!.headers['webhook-signature']).not.toBe(b!.headers['webhook-signature']);
    expect(verify(a!.body, a!.headers).id).toBe(first.id);
    expect(verify(b!.body, b!.headers).id).toBe(first.id);
  });
});

describe('failures', () => {
  it('a 500 is retried on the schedule until attempts run out, then failed', async () => {
    const { receiver, clock, store, dispatcher } = await setup({ maxAttempts: 3 });
    receiver.setDefault({ kind: 'status', status: 500 });
    const start = clock.ms;
    const first = await dispatcher.enqueue('order.paid', { orderId: 1 });
    expect(first).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 500',
      responseStatus: 500,
    });
    expect(first.nextRetryAt?.getTime()).toBe(start + 5_000);
    clock.advance(5_000);
    const second = await dispatcher.deliverNow(first.id);
    expect(second).toMatchObject({ status: 'pending', attempts: 2 });
    expect(second.nextRetryAt?.getTime()).toBe(start + 5_000 + 300_000);
    const third = await dispatcher.deliverNow(first.id);
    expect(third).toMatchObject({ status: 'failed', attempts: 3, lastError: 'HTTP 500' });
    expect((await store.listAttempts(first.id)).map((attempt) => attempt.error)).toEqual([
      'HTTP 500',
      'HTTP 500',
      'HTTP 500',
    ]);
  });

  it('a 3xx is a failure (redirects are not followed)', async () => {
    const { receiver, dispatcher } = await setup();
    const row = await once(dispatcher, receiver, {
      kind: 'status',
      status: 301,
      headers: { location: receiver.url },
    });
    expect(row).toMatchObject({ status: 'pending', lastError: 'HTTP 301 (redirects are not followed)' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('a 4xx other than 410 is retried', async () => {
    const { receiver, dispatcher } = await setup();
    const row = await once(dispatcher, receiver, { kind: 'status', status: 400 });
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 400' });
  });

  it('410 Gone marks the event skipped and says why', async () => {
    const { receiver, dispatcher } = await setup();
    const row = await once(dispatcher, receiver, { kind: 'status', status: 410 });
    expect(row).toMatchObject({
      status: 'skipped',
      responseStatus: 410,
      lastError: 'receiver answered 410 Gone: endpoint removed',
    });
    expect(dispatcher.diagnostics().totals.skipped).toBe(1);
  });

  it('a timeout is stored as "timeout after N ms"', async () => {
    const { receiver, dispatcher } = await setup({ timeouts: { totalMs: 200 } });
    const row = await once(dispatcher, receiver, { kind: 'hang' });
    expect(row).toMatchObject({ status: 'pending', lastError: 'timeout after 200 ms', responseStatus: null });
  });

  it('a refused connection is stored briefly', async () => {
    const port = await closedPort();
    const { dispatcher } = await setup({ targetUrl: `http://127.0.0.1:${port}/hook` });
    const row = await dispatcher.enqueue('order.paid', {});
    expect(row.lastError).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('a connection reset is a retryable failure', async () => {
    const { receiver, dispatcher } = await setup();
    const row = await once(dispatcher, receiver, { kind: 'reset' });
    expect(row.status).toBe('pending');
    expect(row.lastError).toMatch(/socket reset|ECONNRESET|other side closed/);
  });

  it('stores at most 4 KiB of a response body, and reads little of a huge one', async () => {
    const { receiver, store, dispatcher } = await setup();
    const long = await once(dispatcher, receiver, { kind: 'status', status: 500, body: 'é'.repeat(5000) });
    expect(Buffer.byteLength(long.responseBody!, 'utf8')).toBe(4096);
    expect((await store.listAttempts(long.id))[0]!.responseBody).toBe(long.responseBody);
    const huge = await once(dispatcher, receiver, { kind: 'huge', bytes: 512 * 1024 * 1024, status: 200 });
    expect(huge.status).toBe('delivered');
    expect(huge.responseBody).toBe('x'.repeat(4096));
    expect(receiver.hugeBytesWritten).toBeLessThan(512 * 1024 * 1024);
  });
});

describe('Retry-After on 429 and 503', () => {
  it('overrides the backoff when larger', async () => {
    const { receiver, clock, dispatcher } = await setup();
    const row = await once(dispatcher, receiver, {
      kind: 'status',
      status: 429,
      // Header names are matched without regard to case, wherever the header comes in the list.
      headers: { 'x-request-id': 'abc', 'Retry-After': '120' },
    });
    expect(row.nextRetryAt?.getTime()).toBe(clock.ms + 120_000);
  });

  it('keeps the backoff when it is larger than Retry-After', async () => {
    const { receiver, clock, dispatcher } = await setup();
    const row = await once(dispatcher, receiver, {
      kind: 'status',
      status: 503,
      headers: { 'retry-after': '2' },
    });
    expect(row.nextRetryAt?.getTime()).toBe(clock.ms + 5_000);
  });

  it('reads an HTTP date and clamps to the window (default max 1 h, configurable)', async () => {
    const { receiver, clock, dispatcher } = await setup();
    const date = new Date(clock.ms + 60_000).toUTCString();
    const dated = await once(dispatcher, receiver, {
      kind: 'status',
      status: 503,
      headers: { 'retry-after': date },
    });
    expect(dated.nextRetryAt!.getTime() - clock.ms).toBeGreaterThanOrEqual(59_000);
    expect(dated.nextRetryAt!.getTime() - clock.ms).toBeLessThanOrEqual(60_000);
    const far = await once(dispatcher, receiver, {
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '86400' },
    });
    expect(far.nextRetryAt?.getTime()).toBe(clock.ms + 3_600_000);
    const tight = await setup({ retryAfter: { maxMs: 30_000 } });
    const clamped = await once(tight.dispatcher, tight.receiver, {
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '600' },
    });
    expect(clamped.nextRetryAt?.getTime()).toBe(tight.clock.ms + 30_000);
  });

  it('is ignored on other statuses', async () => {
    const { receiver, clock, dispatcher } = await setup();
    const row = await once(dispatcher, receiver, {
      kind: 'status',
      status: 500,
      headers: { 'retry-after': '600' },
    });
    expect(row.nextRetryAt?.getTime()).toBe(clock.ms + 5_000);
  });
});

describe('runAttempt', () => {
  it('reports failures as DeliveryError with retryable', async () => {
    const receiver = await startReceiver();
    const options = resolveDispatcherOptions({ targetUrl: receiver.url, secret: SECRET });
    const client = createHttpClient({
      timeouts: options.timeouts,
      perOriginConcurrency: 4,
      maxReadBytes: 1024,
    });
    cleanups.push(
      () => receiver.close(),
      () => client.close(),
    );
    const settings = createAttemptSettings(options, client)!;
    const row = (await options.store.insert({ eventType: 't', payload: {}, targetUrl: receiver.url })).event;
    receiver.script(
      { kind: 'status', status: 410 },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 204 },
    );
    const gone = await runAttempt(row, 'w', settings);
    const error = await runAttempt(row, 'w', settings);
    const ok = await runAttempt(row, 'w', settings);
    if (gone.aborted || error.aborted || ok.aborted) throw new Error('unexpected abort');
    expect(DeliveryError.isInstance(gone.error)).toBe(true);
    expect(gone.error?.retryable).toBe(false);
    expect(gone.outcome.result).toEqual({
      kind: 'skipped',
      reason: 'receiver answered 410 Gone: endpoint removed',
    });
    expect(error.error?.retryable).toBe(true);
    expect(error.outcome.result.kind).toBe('retry');
    expect(ok.error).toBeUndefined();
    expect(ok.outcome.result).toEqual({ kind: 'delivered' });
  });
});
