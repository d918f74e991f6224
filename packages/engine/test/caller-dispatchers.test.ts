import { Agent, type Dispatcher, MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../src/http-client.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

// The engine reads responses through undici's raw handler interface. A caller's dispatcher (a proxy, a
// dispatcher with interceptors, a MockAgent in the caller's tests) must still see every request and give
// back the status, the body and Retry-After.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function clientThrough(dispatcher: Dispatcher, totalMs = 15_000) {
  const client = createHttpClient({
    timeouts: { connectMs: 5000, totalMs },
    perOriginConcurrency: 4,
    maxReadBytes: 1024,
    dispatcher,
  });
  cleanups.push(() => client.close());
  return client;
}

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  cleanups.push(() => started.close());
  return started;
}

describe('a caller’s undici dispatcher', () => {
  it('a dispatcher composed with interceptors sees each request and returns status, body and Retry-After', async () => {
    const target = await receiver();
    const agent = new Agent();
    cleanups.push(() => agent.close());
    const seen: string[] = [];
    const counting: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
      seen.push(`${options.method} ${options.path}`);
      return dispatch(options, handler);
    };
    const client = clientThrough(agent.compose(counting));
    target.script(
      { kind: 'status', status: 201, body: 'created' },
      { kind: 'status', status: 429, headers: { 'Retry-After': '7' } },
    );
    const url = `${target.url}?x=1`;
    expect(await client.post(url, { 'content-type': 'application/json' }, '{}')).toEqual({
      ok: true,
      status: 201,
      retryAfter: undefined,
      body: 'created',
    });
    expect(await client.post(url, {}, '{}')).toMatchObject({ ok: true, status: 429, retryAfter: '7' });
    expect(seen).toEqual(['POST /hook?x=1', 'POST /hook?x=1']);
    expect(target.requests).toHaveLength(2);
  });

  it('a MockAgent (no network) answers through the engine’s handler, and its errors come back as failures', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    cleanups.push(() => mock.close());
    const pool = mock.get('https://receiver.example.test');
    pool
      .intercept({ path: '/hook', method: 'POST' })
      .reply(503, 'busy', { headers: { 'retry-after': '30' } });
    pool.intercept({ path: '/hook', method: 'POST' }).reply(200, 'ok');
    pool.intercept({ path: '/hook', method: 'POST' }).replyWithError(new Error('boom'));
    const client = clientThrough(mock);
    const url = 'https://receiver.example.test/hook';
    expect(await client.post(url, {}, '{}')).toEqual({
      ok: true,
      status: 503,
      retryAfter: '30',
      body: 'busy',
    });
    expect(await client.post(url, {}, '{}')).toEqual({
      ok: true,
      status: 200,
      retryAfter: undefined,
      body: 'ok',
    });
    expect(await client.post(url, {}, '{}')).toMatchObject({ ok: false, kind: 'network' });
  });
});
