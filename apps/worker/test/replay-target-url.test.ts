import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenedStore, openStore, parseDatabaseUrl } from '@hooks/app-shared';
import type { WebhookEvent } from '@hooks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failAll } from './helpers/fail-events.js';
import { expectOneLineRefusal } from './helpers/one-line-refusal.js';
import { runCli } from './helpers/worker-process.js';

/** A receiver whose URL holds a comma (one URL, not a list) and a credential (never echoed). */
const A = 'https://a.example.test/hooks?ids=1,2&token=s3cret';
const B = 'https://b.example.test/hooks';
const C = 'http://c.example.test:8080/in';

describe('hooks-worker replay --target-url (SQLite file)', () => {
  let dir: string;
  let database: string;
  let opened: OpenedStore;
  let ids: string[];

  async function rows(): Promise<Pick<WebhookEvent, 'targetUrl' | 'eventType' | 'status' | 'replayCount'>[]> {
    const events = await Promise.all(ids.map((id) => opened.store.get(id)));
    return events.map((event) => ({
      targetUrl: event!.targetUrl,
      eventType: event!.eventType,
      status: event!.status,
      replayCount: event!.replayCount,
    }));
  }

  /** Runs `hooks-worker replay <args> --database-url <the file>` in a child process, as a user would. */
  const replay = (...args: string[]) => runCli(['replay', ...args, '--database-url', database]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hooks-worker-replay-'));
    database = `sqlite:${join(dir, 'hooks.sqlite')}`;
    opened = await openStore(parseDatabaseUrl(database, { name: 'test', cwd: dir }));
    const inserted = await opened.store.insertMany(
      [
        [A, 'order.paid'],
        [B, 'order.paid'],
        [A, 'task.created'],
        [C, 'order.paid'],
        [B, 'task.created'],
        [A, 'order.paid'],
      ].map(([targetUrl, eventType]) => ({ eventType: eventType!, payload: {}, targetUrl })),
    );
    ids = inserted.map((result) => result.event.id);
    await failAll(opened.store, ids);
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--dry-run lists only that receiver's failed events (a URL holding a comma is one URL)", async () => {
    const result = await replay('--target-url', A, '--limit', '10', '--dry-run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('s3cret');
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ dryRun: true, matched: 3, eligible: 3, replayed: 0 });
    expect(report.candidates.map((candidate: { id: string }) => candidate.id)).toEqual([
      ids[0],
      ids[2],
      ids[5],
    ]);
    expect((await rows()).every((row) => row.status === 'failed')).toBe(true);
  });

  it('--target-url given twice selects both receivers; with --type it resets only their events of that type', async () => {
    const result = await replay(
      '--target-url',
      A,
      '--type',
      'order.paid',
      `--target-url=${B}`,
      '--limit',
      '10',
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ dryRun: false, matched: 3, replayed: 3, skippedForCap: 0 });
    expect(await rows()).toEqual([
      { targetUrl: A, eventType: 'order.paid', status: 'pending', replayCount: 1 },
      { targetUrl: B, eventType: 'order.paid', status: 'pending', replayCount: 1 },
      { targetUrl: A, eventType: 'task.created', status: 'failed', replayCount: 0 },
      { targetUrl: C, eventType: 'order.paid', status: 'failed', replayCount: 0 },
      { targetUrl: B, eventType: 'task.created', status: 'failed', replayCount: 0 },
      { targetUrl: A, eventType: 'order.paid', status: 'pending', replayCount: 1 },
    ]);
  });

  it.each([
    [['ftp://files.example.test/x?token=s3cret'], 'targetUrl must be an http or https URL'],
    [['a.example.test/hooks?token=s3cret'], 'targetUrl must be an absolute URL'],
    [[C, ''], 'targetUrl[1] must be an absolute URL'],
  ])(
    'a bad --target-url %j exits 2 with one line naming targetUrl, never the URL, changing nothing',
    async (urls, message) => {
      const before = await rows();
      const flags = urls.flatMap((url) => ['--target-url', url]);
      expectOneLineRefusal(await replay(...flags, '--limit', '5'), message, 's3cret');
      expect(await rows()).toEqual(before);
    },
  );
});
