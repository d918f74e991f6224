import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createMemoryStore } from '@hooks/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, createNotifier, secretVariants } from '../src/index.js';
import { ALLOW_LOOPBACK, captureLogger, closedPort, SECRET, waitUntil } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const BODY = SECRET.slice('whsec_'.length);
const KEY_HEX = Buffer.from(BODY, 'base64').toString('hex');
const FORBIDDEN = [SECRET, BODY, KEY_HEX, KEY_HEX.toUpperCase()];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function expectClean(what: string, text: string): void {
  for (const secret of FORBIDDEN) {
    if (text.includes(secret)) throw new Error(`${what} contains the secret (${secret.slice(0, 4)}...)`);
  }
}

function errorText(error: unknown): string {
  return [
    String(error),
    (error as Error)?.stack ?? '',
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
  ].join('\n');
}

async function caught(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('secrets never leak', () => {
  it('lists the secret, its base64 body and its raw key bytes as variants', () => {
    const variants = secretVariants(SECRET);
    for (const secret of FORBIDDEN) expect(variants).toContain(secret);
  });

  it('not in logs (debug level), errors, rows, attempts, diagnostics or the failure file', async () => {
    const log = captureLogger();
    const receiver: Receiver = await startReceiver();
    const store = createMemoryStore();
    const dir = mkdtempSync(join(tmpdir(), 'hooks-secrets-'));
    cleanups.push(
      async () => rmSync(dir, { recursive: true, force: true }),
      () => receiver.close(),
    );
    const dispatcher = createDispatcher({
      ssrfGuard: ALLOW_LOOPBACK,
      store,
      targetUrl: receiver.url,
      secret: SECRET,
      deliveryMode: 'sync',
      logger: log.logger,
      timeouts: { totalMs: 200 },
      headers: { authorization: `Bearer ${SECRET}` },
    });
    cleanups.push(() => dispatcher.close());
    const errors: unknown[] = [];

    // success, a receiver that echoes the secret in its body, failure + retry, 410, timeout, refused
    receiver.script(
      { kind: 'status', status: 200 },
      { kind: 'status', status: 500, body: `bad key ${SECRET} / ${BODY} / ${KEY_HEX}` },
      { kind: 'status', status: 410 },
      { kind: 'hang' },
    );
    const ok = await dispatcher.enqueue('order.paid', { n: 1 });
    const echoed = await dispatcher.enqueue('order.paid', { n: 2 }, { maxAttempts: 1 });
    await dispatcher.enqueue('order.paid', { n: 3 });
    await dispatcher.enqueue('order.paid', { n: 4 });
    const port = await closedPort();
    await dispatcher.enqueue('order.paid', { n: 5 }, { targetUrl: `http://127.0.0.1:${port}/x` });
    expect(echoed.status).toBe('failed');
    expect(echoed.responseBody).toContain('[redacted]');
    // replay, deliverNow, and invalid input of every kind
    await dispatcher.replay({ ids: [echoed.id] }, { limit: 5 });
    await dispatcher.deliverNow(echoed.id);
    errors.push(await caught(() => dispatcher.replay({}, { limit: 5 })));
    errors.push(await caught(() => dispatcher.enqueue('', {})));
    errors.push(await caught(() => dispatcher.enqueue('x', { f: () => SECRET })));
    errors.push(await caught(() => dispatcher.enqueue('x', 'y'.repeat(300 * 1024))));
    errors.push(await caught(() => dispatcher.enqueue('x', {}, { targetUrl: 'nope' })));
    errors.push(await caught(() => dispatcher.deliverNow('evt_missing')));
    // bad configuration
    errors.push(
      await caught(() =>
        createDispatcher({
          ssrfGuard: ALLOW_LOOPBACK,
          targetUrl: 'nope',
          secret: SECRET,
          logger: log.logger,
        }),
      ),
    );
    errors.push(
      await caught(() =>
        createDispatcher({ ssrfGuard: ALLOW_LOOPBACK, targetUrl: receiver.url, secret: `${SECRET}!` }),
      ),
    );
    errors.push(
      await caught(() =>
        createDispatcher({
          ssrfGuard: ALLOW_LOOPBACK,
          secret: SECRET,
          headers: { 'webhook-signature': SECRET },
        }),
      ),
    );
    errors.push(
      await caught(() => createDispatcher({ ssrfGuard: ALLOW_LOOPBACK, secret: SECRET, concurrency: -1 })),
    );
    // the notifier: a terminal failure recorded in its failure file
    const failing = await startReceiver();
    cleanups.push(() => failing.close());
    failing.setDefault({ kind: 'status', status: 500, body: `echo ${SECRET}` });
    const notifier = createNotifier({
      ssrfGuard: ALLOW_LOOPBACK,
      url: failing.url,
      secret: SECRET,
      logger: log.logger,
      maxAttempts: 1,
      failureStore: { path: join(dir, 'failures.json') },
    });
    cleanups.push(() => notifier.close());
    await notifier.notify('task.failed', { id: 1 });
    await notifier.notify('', {});
    await waitUntil(() => notifier.failures().length === 1, 'the failure recorded');
    await notifier.replay({ limit: 1 });
    await notifier.close();

    expect(log.lines.some((line) => line.level === 'debug')).toBe(true);
    expect(log.lines.some((line) => line.level === 'warn')).toBe(true);
    expectClean('logs', log.text());
    for (const error of errors) expectClean(`error ${String(error)}`, errorText(error));
    const rows = (await store.list({ limit: 100 })).items;
    expect(rows.length).toBe(5);
    expectClean('rows', JSON.stringify(rows));
    for (const row of rows) expectClean('attempts', JSON.stringify(await store.listAttempts(row.id)));
    expectClean('diagnostics', JSON.stringify(dispatcher.diagnostics()));
    expectClean('notifier diagnostics', JSON.stringify(notifier.diagnostics()));
    expectClean('failure file', readFileSync(join(dir, 'failures.json'), 'utf8'));
    expect(ok.status).toBe('delivered');
    // what was sent carries the custom header, but the stored record masks it
    expect(receiver.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
  });
});
