import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenedStore, openStore, parseDatabaseUrl } from '@hooks/app-shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/postgres.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { killAllWorkers, runCli, spawnWorker } from './helpers/worker-process.js';

const SECRET = 'sqlite-run-secret-value-0123456789';

describe('hooks-worker run on the embedded SQLite default', () => {
  let dir: string;
  let receiver: Receiver;
  let opened: OpenedStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hooks-worker-'));
    receiver = await startReceiver({ secret: SECRET, scheme: 'github' });
    // The default database: ./.data/hooks.sqlite under the working directory.
    opened = await openStore(parseDatabaseUrl(undefined, { name: 'HOOKS_DATABASE_URL', cwd: dir }));
  });
  afterEach(() => killAllWorkers());
  afterAll(async () => {
    await receiver?.close();
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers from ./.data/hooks.sqlite with the signature scheme from the environment, and never logs the secret', async () => {
    const worker = spawnWorker(
      ['--poll-interval', '100ms', '--log-level', 'debug'],
      { HOOKS_WEBHOOK_SECRET: SECRET, HOOKS_SIGNATURE_SCHEME: 'github' },
      dir,
    );
    await worker.waitForLog((line) => line.msg === 'worker started');
    expect(worker.logs.find((line) => line.msg === 'worker started')).toMatchObject({
      database: `sqlite:${join(dir, '.data', 'hooks.sqlite')}`,
      signatureScheme: 'github',
    });
    const results = await opened.store.insertMany(
      Array.from({ length: 50 }, (_, n) => ({
        eventType: 'sqlite.test',
        payload: { n },
        targetUrl: receiver.url,
      })),
    );
    await receiver.waitFor((r) => r.counts.size === 50, 30_000, 'every event at the receiver');
    await eventually(
      async () => (await opened.store.countByStatus()).delivered === 50,
      'every row delivered',
    );
    expect(receiver.rejected).toBe(0);
    expect(receiver.duplicates()).toEqual([]);
    expect([...receiver.counts.keys()].sort()).toEqual(results.map((result) => result.event.id).sort());

    worker.kill('SIGINT');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const everything = JSON.stringify(worker.logs) + worker.stderr();
    expect(everything).toContain('event delivered');
    expect(everything).not.toContain(SECRET);

    const stats = await runCli(['stats'], {}, dir);
    expect(JSON.parse(stats.stdout).counts).toEqual({ pending: 0, delivered: 50, failed: 0, skipped: 0 });
  });

  it('without a secret, prints the generated one once on stderr and signs with it', async () => {
    const worker = spawnWorker(['--poll-interval', '100ms', '--signature-scheme', 'github'], {}, dir);
    await worker.waitForLog((line) => line.msg === 'worker started');
    const printed = /secret \(shown once; receivers need the same one\):\n {2}(\S+)\n/.exec(worker.stderr());
    expect(printed).not.toBeNull();
    const secret = printed![1]!;
    expect(JSON.stringify(worker.logs)).not.toContain(secret);

    const own = await startReceiver({ secret, scheme: 'github' });
    try {
      await opened.store.insert({
        eventType: 'sqlite.test',
        payload: { n: 'generated' },
        targetUrl: own.url,
      });
      await own.waitFor((r) => r.total === 1, 30_000, 'the event signed with the generated secret');
      expect(own.rejected).toBe(0);
    } finally {
      worker.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
      await own.close();
    }
  });

  it('still stops on SIGTERM after whoever read its output went away (stdout and stderr closed)', async () => {
    const worker = spawnWorker(['--poll-interval', '100ms', '--webhook-secret', SECRET], {}, dir);
    await worker.waitForLog((line) => line.msg === 'worker started');
    worker.child.stdout!.destroy();
    worker.child.stderr!.destroy();
    worker.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });
});
