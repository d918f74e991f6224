import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { ConfigurationError } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, createNotifier, type DispatcherOptions } from '../src/index.js';
import { captureLogger, SECRET, waitUntil } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  cleanups.push(() => started.close());
  return started;
}

const portOf = (target: Receiver): string => new URL(target.url).port;

/** One event delivered inline (sync mode) to `targetUrl`; the dispatcher is closed after the test. */
async function deliverOnce(options: DispatcherOptions & { targetUrl: string }) {
  const log = captureLogger();
  const dispatcher = createDispatcher({
    secret: SECRET,
    deliveryMode: 'sync',
    logger: log.logger,
    ...options,
  });
  cleanups.push(() => dispatcher.close());
  const row = await dispatcher.enqueue('ssrf.test', { n: 1 });
  return { row, dispatcher, log };
}

/** A resolver for tests: answers from `answers` in turn (the last one repeats) and counts its calls. */
function scriptedResolver(...answers: string[][]) {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<string[]> => {
    calls.push(hostname);
    return answers[Math.min(calls.length, answers.length) - 1]!;
  };
  return { resolve, calls };
}

describe('SSRF guard (on by default)', () => {
  it('refuses a receiver on 127.0.0.1: the row fails at once, the receiver gets nothing, one warn line', async () => {
    const target = await receiver();
    const { row, dispatcher, log } = await deliverOnce({ targetUrl: target.url });
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 1,
      nextRetryAt: null,
      responseStatus: null,
      lastError: 'blocked by SSRF guard: 127.0.0.1 (loopback)',
    });
    expect(target.requests).toHaveLength(0);
    const { totals, recentFailures } = dispatcher.diagnostics();
    expect(totals).toMatchObject({ blocked: 1, failed: 1, retried: 0, attempts: 1, delivered: 0 });
    expect(recentFailures.map((failure) => failure.error)).toEqual([row.lastError]);
    const lines = log.lines.filter((line) => line.level === 'warn' || line.level === 'error');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'delivery blocked by the SSRF guard; event failed',
      obj: { id: row.id, error: row.lastError },
    });
    expect(log.text()).not.toContain(SECRET);
    // Terminal: neither deliverNow nor the scheduler tries it again.
    expect(await dispatcher.deliverNow(row.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await dispatcher.deliverDue()).toBe(0);
    expect(target.requests).toHaveLength(0);
  });

  it('refuses in async mode through the queue, and the scheduler leaves the failed row alone', async () => {
    const target = await receiver();
    const store = createMemoryStore();
    cleanups.push(() => store.close());
    const dispatcher = createDispatcher({ store, targetUrl: target.url, secret: SECRET });
    cleanups.push(() => dispatcher.close());
    dispatcher.start();
    const { id } = await dispatcher.enqueue('ssrf.test', { n: 2 });
    await waitUntil(async () => (await store.get(id))?.status === 'failed', 'the row failed');
    expect((await store.get(id))?.lastError).toBe('blocked by SSRF guard: 127.0.0.1 (loopback)');
    expect(dispatcher.diagnostics().totals.blocked).toBe(1);
    expect(target.requests).toHaveLength(0);
  });

  it('does not count a blocked target against endpoint health (it is not the receiver failing)', async () => {
    const target = await receiver();
    const dispatcher = createDispatcher({
      targetUrl: target.url,
      secret: SECRET,
      deliveryMode: 'sync',
      endpointHealth: { disableAfterFailures: 1 },
    });
    cleanups.push(() => dispatcher.close());
    for (let n = 0; n < 3; n++) expect((await dispatcher.enqueue('ssrf.test', { n })).status).toBe('failed');
    expect(dispatcher.diagnostics().totals.blocked).toBe(3);
    expect(await dispatcher.listEndpoints()).toEqual([]);
  });

  it('reaches the receiver with allowLoopback, allow ["127.0.0.1"] or allow ["127.0.0.0/8"], not with another block', async () => {
    const target = await receiver();
    for (const ssrfGuard of [{ allowLoopback: true }, { allow: ['127.0.0.1'] }, { allow: ['127.0.0.0/8'] }]) {
      const { row } = await deliverOnce({ targetUrl: target.url, ssrfGuard });
      expect(row.status, JSON.stringify(ssrfGuard)).toBe('delivered');
    }
    expect(target.requests).toHaveLength(3);
    const other = await deliverOnce({
      targetUrl: target.url,
      ssrfGuard: { allow: ['10.0.0.0/8', '::1'], allowPrivateNetworks: true },
    });
    expect(other.row.lastError).toBe('blocked by SSRF guard: 127.0.0.1 (loopback)');
    expect(target.requests).toHaveLength(3);
  });

  it('checks IP-literal hosts in every spelling the URL parser accepts (they are never resolved)', async () => {
    const target = await receiver();
    const port = portOf(target);
    const cases: [string, string][] = [
      [`http://[::1]:${port}/hook`, '::1 (loopback)'],
      [`http://2130706433:${port}/hook`, '127.0.0.1 (loopback)'],
      [`http://0x7f.1:${port}/hook`, '127.0.0.1 (loopback)'],
      [`http://127.1:${port}/hook`, '127.0.0.1 (loopback)'],
      [`http://[::ffff:127.0.0.1]:${port}/hook`, '::ffff:7f00:1 (loopback)'],
      [`http://0.0.0.0:${port}/hook`, '0.0.0.0 (unspecified)'],
      [`http://[::]:${port}/hook`, ':: (unspecified)'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 (link-local)'],
      ['http://[fd00::1]/hook', 'fd00::1 (private)'],
      ['https://10.0.0.5/hook', '10.0.0.5 (private)'],
    ];
    for (const [url, expected] of cases) {
      const { row } = await deliverOnce({ targetUrl: url });
      expect(row.lastError, url).toBe(`blocked by SSRF guard: ${expected}`);
      expect(row.status).toBe('failed');
    }
    expect(target.requests).toHaveLength(0);
  });

  it('refuses a DNS name that resolves to loopback (localhost); an allowed host name goes through', async () => {
    const target = await receiver();
    const url = `http://localhost:${portOf(target)}/hook`;
    const refused = await deliverOnce({ targetUrl: url });
    expect(refused.row.lastError).toMatch(
      /^blocked by SSRF guard: (127\.0\.0\.1|::1) \(loopback\) for host localhost$/,
    );
    expect(target.requests).toHaveLength(0);
    const allowed = await deliverOnce({ targetUrl: url, ssrfGuard: { allow: ['LOCALHOST'] } });
    expect(allowed.row.status).toBe('delivered');
    expect(target.requests).toHaveLength(1);
  });

  it('connects to the address it checked: the name is resolved once per connection, never again before connecting', async () => {
    const target = await receiver();
    // A rebinding name: the first answer is an allowed address, every later one a private address.
    const dns = scriptedResolver(['127.0.0.1'], ['10.0.0.1']);
    const url = `http://rebind.test:${portOf(target)}/hook`;
    const first = await deliverOnce({
      targetUrl: url,
      ssrfGuard: { allow: ['127.0.0.1'], resolve: dns.resolve },
    });
    expect(first.row.status).toBe('delivered');
    expect(dns.calls).toEqual(['rebind.test']);
    expect(target.requests).toHaveLength(1);
    // The Host header keeps the name (the system resolver knows no rebind.test: only the checked address was used).
    expect(target.requests[0]!.headers.host).toBe(`rebind.test:${portOf(target)}`);

    // A new connection resolves again and gets the private answer: refused before any byte is sent.
    const second = await deliverOnce({
      targetUrl: url,
      ssrfGuard: { allow: ['127.0.0.1'], resolve: dns.resolve },
    });
    expect(second.row.lastError).toBe('blocked by SSRF guard: 10.0.0.1 (private) for host rebind.test');
    expect(dns.calls).toEqual(['rebind.test', 'rebind.test']);
    expect(target.requests).toHaveLength(1);
  });

  it('refuses the whole answer when any address in it is bad', async () => {
    const dns = scriptedResolver(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '127.0.0.1']);
    const { row } = await deliverOnce({
      targetUrl: 'http://mixed.test/hook',
      ssrfGuard: { resolve: dns.resolve },
    });
    expect(row.lastError).toBe('blocked by SSRF guard: 127.0.0.1 (loopback) for host mixed.test');
    expect(dns.calls).toEqual(['mixed.test']);
  });

  it('keeps the original host name for TLS SNI while connecting to the checked address', async () => {
    const names: string[] = [];
    const server: TlsServer = createTlsServer({
      SNICallback: (name, callback) => {
        names.push(name);
        callback(new Error('no certificate here'));
      },
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as { port: number };
    const dns = scriptedResolver(['127.0.0.1']);
    const { row } = await deliverOnce({
      targetUrl: `https://hooks.test:${port}/hook`,
      ssrfGuard: { allow: ['127.0.0.1'], resolve: dns.resolve },
    });
    expect(names).toEqual(['hooks.test']);
    expect(dns.calls).toEqual(['hooks.test']);
    expect(row.status).toBe('pending');
    expect(row.lastError).not.toMatch(/SSRF/);
  });

  it('checks the target before each request when sending through a caller’s undici dispatcher', async () => {
    const target = await receiver();
    const agent = new Agent();
    cleanups.push(() => agent.close());
    const refused = await deliverOnce({ targetUrl: target.url, httpDispatcher: agent });
    expect(refused.row.lastError).toBe('blocked by SSRF guard: 127.0.0.1 (loopback)');
    const allowed = await deliverOnce({
      targetUrl: target.url,
      httpDispatcher: agent,
      ssrfGuard: { allowLoopback: true },
    });
    expect(allowed.row.status).toBe('delivered');
    expect(target.requests).toHaveLength(1);
  });

  it('ssrfGuard: false turns the guard off', async () => {
    const target = await receiver();
    const { row, dispatcher } = await deliverOnce({ targetUrl: target.url, ssrfGuard: false });
    expect(row.status).toBe('delivered');
    expect(dispatcher.diagnostics().totals.blocked).toBe(0);
  });

  it('copies the option at creation: changing the caller’s array later changes nothing', async () => {
    const target = await receiver();
    const allow = ['127.0.0.1'];
    const log = captureLogger();
    const dispatcher = createDispatcher({
      targetUrl: target.url,
      secret: SECRET,
      deliveryMode: 'sync',
      logger: log.logger,
      ssrfGuard: { allow },
    });
    cleanups.push(() => dispatcher.close());
    allow[0] = '10.9.9.9';
    allow.push('192.168.0.0/16');
    expect((await dispatcher.enqueue('ssrf.test', {})).status).toBe('delivered');

    const narrow = ['10.9.9.9'];
    const strict = createDispatcher({
      targetUrl: target.url,
      secret: SECRET,
      deliveryMode: 'sync',
      ssrfGuard: { allow: narrow },
    });
    cleanups.push(() => strict.close());
    narrow[0] = '127.0.0.1';
    expect((await strict.enqueue('ssrf.test', {})).status).toBe('failed');
  });

  it('refuses a bad option at creation, naming the entry', () => {
    const bad = { allow: ['10.0.0.0/8', 'hooks.internal', '10.0.0.0/33'] };
    for (const create of [
      () => createDispatcher({ targetUrl: 'https://example.com/hook', secret: SECRET, ssrfGuard: bad }),
      () => createNotifier({ url: 'https://example.com/hook', secret: SECRET, ssrfGuard: bad }),
    ]) {
      let caught: unknown;
      try {
        create();
      } catch (error) {
        caught = error;
      }
      expect(ConfigurationError.isInstance(caught)).toBe(true);
      expect((caught as ConfigurationError).message).toBe(
        'ssrfGuard.allow[2]: "10.0.0.0/33" is not a CIDR, IP or host name',
      );
      expect((caught as ConfigurationError).details?.field).toBe('ssrfGuard.allow[2]');
    }
  });

  it('the notifier refuses loopback by default and keeps a failure record with the reason', async () => {
    const target = await receiver();
    const notifier = createNotifier({ url: target.url, secret: SECRET });
    cleanups.push(() => notifier.close({ deadlineMs: 100 }));
    expect((await notifier.notify('ssrf.test', { n: 3 })).accepted).toBe(true);
    await waitUntil(() => notifier.failures().length === 1, 'a failure record');
    expect(notifier.failures()[0]).toMatchObject({
      error: 'blocked by SSRF guard: 127.0.0.1 (loopback)',
      attempts: 1,
    });
    expect(notifier.diagnostics().totals).toMatchObject({ blocked: 1, failed: 1, retried: 0 });
    expect(target.requests).toHaveLength(0);
  });
});
