import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenedStore, openStore, parseDatabaseUrl } from '@hooks/app-shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/postgres.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { killAllWorkers, spawnWorker } from './helpers/worker-process.js';

const SECRET = 'ssrf-guard-worker-secret-0123456789';
const LOOPBACK_LINE =
  'SSRF guard on; loopback allowed for local development (set HOOKS_ALLOW_LOOPBACK=false in production)';

describe('hooks-worker run and the SSRF guard', () => {
  let dir: string;
  let receiver: Receiver;
  let opened: OpenedStore;
  let databaseUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hooks-worker-ssrf-'));
    databaseUrl = `sqlite:${join(dir, 'hooks.sqlite')}`;
    receiver = await startReceiver({ secret: SECRET });
    opened = await openStore(parseDatabaseUrl(databaseUrl, { name: 'HOOKS_DATABASE_URL', cwd: dir }));
  });
  afterEach(() => killAllWorkers());
  afterAll(async () => {
    await receiver?.close();
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('allows loopback by default and says so in one line at start; delivers to 127.0.0.1', async () => {
    const worker = spawnWorker(['--poll-interval', '100ms', '--database-url', databaseUrl], {
      HOOKS_WEBHOOK_SECRET: SECRET,
    });
    await worker.waitForLog((line) => line.msg === 'worker started');
    const notice = await worker.waitForLog((line) => String(line.msg).startsWith('SSRF guard'));
    expect(notice).toMatchObject({ msg: LOOPBACK_LINE, ssrfGuard: { allowLoopback: true, allow: [] } });
    expect(worker.logs.filter((line) => String(line.msg).startsWith('SSRF guard'))).toHaveLength(1);
    const { event } = await opened.store.insert({
      eventType: 'ssrf.test',
      payload: { n: 1 },
      targetUrl: receiver.url,
    });
    await receiver.waitFor((r) => r.counts.get(event.id) === 1, 20_000, 'the event at the receiver');
    await eventually(async () => (await opened.store.get(event.id))?.status === 'delivered', 'delivered');
    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });

  it('with HOOKS_ALLOW_LOOPBACK=false, a row to 127.0.0.1 fails at once with the guard’s reason', async () => {
    const before = receiver.total;
    const worker = spawnWorker(['--poll-interval', '100ms', '--database-url', databaseUrl], {
      HOOKS_WEBHOOK_SECRET: SECRET,
      HOOKS_ALLOW_LOOPBACK: 'false',
      HOOKS_SSRF_ALLOW: '10.1.0.0/16, hooks.internal',
    });
    await worker.waitForLog((line) => line.msg === 'worker started');
    const notice = await worker.waitForLog((line) => String(line.msg).startsWith('SSRF guard'));
    expect(notice).toMatchObject({
      msg: 'SSRF guard on; loopback refused; also allowed: 10.1.0.0/16, hooks.internal',
      ssrfGuard: { allowLoopback: false, allow: ['10.1.0.0/16', 'hooks.internal'] },
    });
    const { event } = await opened.store.insert({
      eventType: 'ssrf.test',
      payload: { n: 2 },
      targetUrl: receiver.url,
      maxAttempts: 5,
    });
    await eventually(async () => (await opened.store.get(event.id))?.status === 'failed', 'the row failed');
    expect(await opened.store.get(event.id)).toMatchObject({
      attempts: 1,
      lastError: 'blocked by SSRF guard: 127.0.0.1 (loopback)',
    });
    await worker.waitForLog((line) => line.msg === 'delivery blocked by the SSRF guard; event failed');
    expect(receiver.total).toBe(before);
    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(JSON.stringify(worker.logs) + worker.stderr()).not.toContain(SECRET);
  });

  it('refuses a bad HOOKS_SSRF_ALLOW entry at start with one line naming the setting', async () => {
    const worker = spawnWorker(['--database-url', databaseUrl], {
      HOOKS_WEBHOOK_SECRET: SECRET,
      HOOKS_SSRF_ALLOW: '10.0.0.0/8,10.0.0.0/33',
    });
    const exit = await worker.exited;
    expect(exit.code).not.toBe(0);
    expect(worker.stderr()).toContain(
      'HOOKS_SSRF_ALLOW entry 2 "10.0.0.0/33" is not a CIDR (10.1.0.0/16), an IP or a host name',
    );
  });
});
