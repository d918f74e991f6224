import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, parseDatabaseUrl } from '@hooks/app-shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { baseEnv } from './helpers/worker-process.js';

const START = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

/** Runs the root start script and collects its output. */
function runStart(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [START], {
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output);
        if (match === null) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(match);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { child, exited, waitFor, output: () => output };
}

describe('pnpm start (scripts/start.mjs)', () => {
  let dir: string;
  let receiver: Receiver | undefined;
  let started: ReturnType<typeof runStart> | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hooks-start-'));
  });
  afterEach(async () => {
    // SIGTERM, not SIGKILL: the script forwards it, so the apps it started (own process groups) stop too.
    if (started !== undefined && started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGTERM');
      await started.exited;
    }
    await receiver?.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the mock server and a worker on one database with one secret, and stops both on SIGINT', async () => {
    const database = `sqlite:${join(dir, 'hooks.sqlite')}`;
    started = runStart({ PORT: '0', HOOKS_DATABASE_URL: database });
    const secret = (
      await started.waitFor(/generated HOOKS_WEBHOOK_SECRET for this run \(receivers need it\): (\S+)\n/)
    )[1]!;
    const dashboard = (await started.waitFor(/\n {2}Dashboard: (http:\/\/127\.0\.0\.1:\d+\/_mock\/)/))[1]!;
    await started.waitFor(/\[worker {5}\] \d\d:\d\d:\d\d INFO worker started /);
    expect((await fetch(dashboard)).status).toBe(200);
    // Neither app generated a secret of its own: both sign with the one the script generated.
    expect(started.output()).not.toContain('(generated; set HOOKS_WEBHOOK_SECRET');

    receiver = await startReceiver({ secret });
    const opened = await openStore(parseDatabaseUrl(database, { name: 'test', cwd: dir }));
    try {
      await opened.store.insert({ eventType: 'start.test', payload: { ok: true }, targetUrl: receiver.url });
      await receiver.waitFor((r) => r.total === 1, 30_000, 'the worker started by pnpm start to deliver');
      expect(receiver.rejected).toBe(0);
    } finally {
      await opened.close();
    }

    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    expect(started.output()).toMatch(/\[worker {5}\] exited \(code 0\)/);
    expect(started.output()).toMatch(/\[mock-server\] exited \(code 0\)/);
  });

  it('stops the other app and exits 1 when one of them fails', async () => {
    started = runStart({
      PORT: '0',
      HOOKS_DATABASE_URL: `sqlite:${join(dir, 'hooks.sqlite')}`,
      HOOKS_WORKER_LEASE: 'nope',
    });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(
      '[worker     ] hooks-worker run: HOOKS_WORKER_LEASE must be a duration',
    );
    expect(started.output()).toMatch(/\[mock-server\] exited/);
  });
});
