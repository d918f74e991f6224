import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/worker-cli.js';
import { failAll } from './helpers/fail-events.js';
import { createTestDatabase, type TestDatabase, unavailable } from './helpers/postgres.js';
import { runCli } from './helpers/worker-process.js';

/** Captures what `main` writes, pretending stdout and stderr are terminals. */
function terminal() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { isTTY: true, write: (text: string) => out.push(text) },
      stderr: { isTTY: true, write: (text: string) => err.push(text) },
      env: {},
      cwd: process.cwd(),
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe.skipIf(unavailable !== undefined)(
  `replay, inspect and stats${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let db: TestDatabase;
    let failed: string[];
    let other: string[];
    const target = 'http://127.0.0.1:9/unused';

    beforeAll(async () => {
      db = await createTestDatabase('worker_ops');
      failed = await db.insertEvents(450, target, { eventType: 'campaign_status_change' });
      other = await db.insertEvents(3, target, { eventType: 'task_created' });
      await failAll(db.store, failed);
    });
    afterAll(async () => {
      await db?.dispose();
    });

    it('stats prints JSON when piped: counts by status, due now, oldest pending', async () => {
      const result = await runCli(['stats', '--database-url', db.url]);
      expect(result.code).toBe(0);
      const stats = JSON.parse(result.stdout);
      expect(stats).toMatchObject({
        counts: { pending: 3, delivered: 0, failed: 450, skipped: 0 },
        total: 453,
        dueNow: 3,
        dueNowCapped: false,
        oldestPending: { id: other[0], eventType: 'task_created' },
      });
      expect(stats.oldestPending.ageSeconds).toBeGreaterThanOrEqual(0);
    });

    it('stats prints a table on a terminal', async () => {
      const tty = terminal();
      expect(await main(['stats', '--database-url', db.url], tty.io), tty.stderr()).toBe(0);
      expect(tty.stdout()).toMatch(
        /^STATUS\s+EVENTS\npending\s+3\ndelivered\s+0\nfailed\s+450\nskipped\s+0\ntotal\s+453\n/,
      );
      expect(tty.stdout()).toMatch(/due now\s+3\n/);
      expect(tty.stdout()).toContain(`oldest pending  ${other[0]} (task_created)`);
    });

    it('replay --dry-run lists the candidates and changes nothing', async () => {
      const result = await runCli([
        'replay',
        '--type',
        'campaign_status_change',
        '--since',
        '1h',
        '--limit',
        '100',
        '--dry-run',
        '--database-url',
        db.url,
      ]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({
        dryRun: true,
        matched: 100,
        eligible: 100,
        replayed: 0,
        skippedForCap: 0,
      });
      expect(report.candidates.map((candidate: { id: string }) => candidate.id)).toEqual(
        failed.slice(0, 100),
      );
      expect((await db.store.countByStatus()).failed).toBe(450);
      expect(result.stderr).toBe('');
    });

    it('replay --dry-run prints a table on a terminal', async () => {
      const tty = terminal();
      const code = await main(
        [
          'replay',
          '--ids',
          failed.slice(0, 2).join(','),
          '--limit',
          '10',
          '--dry-run',
          '--database-url',
          db.url,
        ],
        tty.io,
      );
      expect(code).toBe(0);
      expect(tty.stdout()).toContain(
        'dry run: 2 matched, 2 would be replayed, 0 refused by the replay cap (nothing changed)',
      );
      expect(tty.stdout()).toMatch(
        new RegExp(`${failed[0]}\\s+campaign_status_change\\s+failed\\s+0\\s+\\S+\\s+yes`),
      );
    });

    it('replay resets the selected events to pending, with a progress bar on a terminal', async () => {
      const tty = terminal();
      const code = await main(
        ['replay', '--type', 'campaign_status_change', '--limit', '400', '--database-url', db.url],
        tty.io,
      );
      expect(code).toBe(0);
      expect(tty.stdout()).toContain('400 replayed, 400 matched, 0 refused by the replay cap');
      expect(tty.stdout()).toContain('... and 350 more (--json lists them all)');
      expect(tty.stderr()).toContain('replaying [');
      expect(tty.stderr()).toContain('100% 400/400');
      const counts = await db.store.countByStatus();
      expect(counts).toMatchObject({ pending: 403, failed: 50 });
      const row = await db.store.get(failed[0]!);
      expect(row).toMatchObject({ status: 'pending', replayCount: 1, attempts: 0 });
      expect(await db.store.get(failed[449]!)).toMatchObject({ status: 'failed', replayCount: 0 });
    });

    it('replay honours --max-replays and --status, quietly in JSON when piped', async () => {
      await failAll(db.store, failed.slice(0, 2));
      const result = await runCli([
        'replay',
        '--ids',
        failed.slice(0, 3).join(','),
        '--status',
        'failed',
        '--limit',
        '10',
        '--max-replays',
        '1',
        '--database-url',
        db.url,
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout);
      // The first two were replayed once already: the cap refuses them. The third is pending, not failed.
      expect(report).toMatchObject({ dryRun: false, matched: 2, eligible: 0, replayed: 0, skippedForCap: 2 });
      expect(await db.store.get(failed[0]!)).toMatchObject({ status: 'failed', replayCount: 1 });
    });

    it('inspect prints the row and its attempts (JSON when piped, a table on a terminal)', async () => {
      const id = failed[449]!;
      const result = await runCli(['inspect', id, '--database-url', db.url]);
      expect(result.code).toBe(0);
      const shown = JSON.parse(result.stdout);
      expect(shown.event).toMatchObject({
        id,
        status: 'failed',
        eventType: 'campaign_status_change',
        attempts: 1,
      });
      expect(shown.attempts).toEqual([
        expect.objectContaining({
          eventId: id,
          attemptNumber: 1,
          responseStatus: 500,
          error: 'HTTP 500',
          workerId: 'test-failer',
        }),
      ]);

      const tty = terminal();
      expect(await main(['inspect', id, '--database-url', db.url], tty.io)).toBe(0);
      expect(tty.stdout()).toMatch(new RegExp(`^id\\s+${id}\\n`));
      expect(tty.stdout()).toMatch(/status\s+failed\n/);
      expect(tty.stdout()).toMatch(
        /ATTEMPT\s+STARTED\s+DURATION\s+STATUS\s+WORKER\s+ERROR \/ RESPONSE\n1\s+\S+\s+\d+ ms\s+500\s+test-failer\s+HTTP 500\n/,
      );
    });

    it('inspect of an unknown id exits 1 with a clear message', async () => {
      const result = await runCli(['inspect', 'evt_does_not_exist', '--database-url', db.url]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('hooks-worker inspect: no event with id evt_does_not_exist in this store\n');
    });
  },
);
