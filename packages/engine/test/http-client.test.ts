import { createServer as createNetServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortHandle } from '../src/abort-handle.js';
import { DeliveryPool } from '../src/delivery-pool.js';
import { createHttpClient, type HttpClient, OriginLimiter } from '../src/http-client.js';
import { LaneQueue } from '../src/lane-queue.js';
import { closedPort } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(overrides: { totalMs?: number; connectMs?: number; maxReadBytes?: number } = {}) {
  const receiver = await startReceiver();
  const client = createHttpClient({
    timeouts: { connectMs: overrides.connectMs ?? 5000, totalMs: overrides.totalMs ?? 15_000 },
    perOriginConcurrency: 8,
    maxReadBytes: overrides.maxReadBytes ?? 65_536,
  });
  cleanups.push(
    () => receiver.close(),
    () => client.close(),
  );
  return { receiver, client };
}

const post = (client: HttpClient, receiver: Receiver, abort?: AbortHandle) =>
  client.post(receiver.url, { 'content-type': 'application/json' }, '{"a":1}', abort);

describe('createHttpClient', () => {
  it('POSTs the body and headers and reuses keep-alive connections', async () => {
    const { receiver, client } = await setup();
    receiver.setDefault({ kind: 'status', status: 201, body: 'created' });
    const first = await post(client, receiver);
    const second = await post(client, receiver);
    expect(first).toMatchObject({ ok: true, status: 201, body: 'created' });
    expect(second).toMatchObject({ ok: true, status: 201 });
    expect(receiver.requests.map((request) => [request.method, request.body])).toEqual([
      ['POST', '{"a":1}'],
      ['POST', '{"a":1}'],
    ]);
    for (let index = 0; index < 6; index++) await post(client, receiver);
    const ports = new Set(receiver.requests.map((request) => request.remotePort));
    expect(ports.size).toBeLessThan(receiver.requests.length / 2);
  });

  it('does not follow redirects: a 3xx comes back as the response', async () => {
    const { receiver, client } = await setup();
    receiver.script({ kind: 'status', status: 302, headers: { location: receiver.url } });
    expect(await post(client, receiver)).toMatchObject({ ok: true, status: 302 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('times out when the headers never come', async () => {
    const { receiver, client } = await setup({ totalMs: 150 });
    receiver.script({ kind: 'hang' });
    expect(await post(client, receiver)).toEqual({
      ok: false,
      kind: 'timeout',
      error: 'timeout after 150 ms',
    });
  });

  it('the total timeout also covers a body that stalls after the headers', async () => {
    const { receiver, client } = await setup({ totalMs: 150 });
    receiver.script({ kind: 'stall-body' });
    expect(await post(client, receiver)).toEqual({
      ok: false,
      kind: 'timeout',
      error: 'timeout after 150 ms',
    });
  });

  it('has a connect timeout (a TLS handshake that never completes)', async () => {
    const silent: Server = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const sockets = new Set<import('node:net').Socket>();
    silent.on('connection', (socket) => sockets.add(socket));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const client = createHttpClient({
      timeouts: { connectMs: 100, totalMs: 10_000 },
      perOriginConcurrency: 1,
      maxReadBytes: 1024,
    });
    cleanups.push(() => client.close());
    const address = silent.address() as { port: number };
    expect(await client.post(`https://127.0.0.1:${address.port}/hook`, {}, '{}')).toEqual({
      ok: false,
      kind: 'timeout',
      error: 'connect timeout after 100 ms',
    });
  });

  it('describes a refused connection briefly', async () => {
    const { client } = await setup();
    const port = await closedPort();
    expect(await client.post(`http://127.0.0.1:${port}/hook`, {}, '{}')).toEqual({
      ok: false,
      kind: 'network',
      error: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  it('describes a connection reset by the receiver', async () => {
    const { receiver, client } = await setup();
    receiver.script({ kind: 'reset' });
    const result = await post(client, receiver);
    expect(result).toMatchObject({ ok: false, kind: 'network' });
    expect((result as { error: string }).error).toMatch(/socket reset|ECONNRESET|other side closed/);
  });

  it('reads at most maxReadBytes of a huge body and then destroys the stream', async () => {
    const { receiver, client } = await setup({ maxReadBytes: 4096 });
    const total = 256 * 1024 * 1024;
    receiver.script({ kind: 'huge', bytes: total });
    const result = await post(client, receiver);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect((result as { body: string }).body).toBe('x'.repeat(4096));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.hugeBytesWritten).toBeLessThan(total);
  });

  it('aborting the handle (shutdown) ends the request as aborted', async () => {
    const { receiver, client } = await setup();
    receiver.script({ kind: 'hang' });
    const handle = new AbortHandle();
    const pending = post(client, receiver, handle);
    await receiver.waitForRequests(1);
    handle.abort('shutdown');
    expect(await pending).toMatchObject({ ok: false, kind: 'aborted' });
  });
});

describe('DeliveryPool with per-origin limits', () => {
  it('a saturated slow origin does not hold slots other origins need', async () => {
    type Item = { origin: string; name: string };
    const queue = new LaneQueue<Item>();
    const started: string[] = [];
    const releases: (() => void)[] = [];
    const pool = new DeliveryPool<Item>(
      4,
      new OriginLimiter(2),
      (item) => item.origin,
      (item) => {
        started.push(item.name);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    );
    pool.addSource({ take: (isOpen) => queue.shift(isOpen) });
    for (let index = 1; index <= 5; index++) queue.push({ origin: 'slow', name: `slow-${index}` }, 'slow');
    queue.push({ origin: 'fast', name: 'fast-1' }, 'fast');
    queue.push({ origin: 'fast', name: 'fast-2' }, 'fast');
    pool.pump();
    expect(started).toEqual(['slow-1', 'slow-2', 'fast-1', 'fast-2']);
    expect(pool.inFlight).toBe(4);
    releases[2]!();
    await pool.waitFor(() => pool.inFlight === 3, 1000);
    expect(started).toHaveLength(4);
    releases[0]!();
    await pool.waitFor(() => started.length === 5, 1000);
    expect(started.at(-1)).toBe('slow-3');
    pool.abort();
    for (const release of releases) release();
  });
});
