import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenedStore, openStore, parseDatabaseUrl } from '@hooks/app-shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/worker-cli.js';

const GONE = 'https://gone.example.test/hooks?token=s3cret';
const FLAKY = 'https://flaky.example.test/hooks';

/** Captures what `main` writes; `tty` pretends stdout is a terminal. */
function capture(tty: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { isTTY: tty, write: (text: string) => out.push(text) },
      stderr: { isTTY: tty, write: (text: string) => err.push(text) },
      env: {},
      cwd: process.cwd(),
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe('hooks-worker endpoints', () => {
  let dir: string;
  let database: string;
  let opened: OpenedStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'worker-endpoints-'));
    database = `sqlite:${join(dir, 'hooks.sqlite')}`;
    opened = await openStore(parseDatabaseUrl(database, { name: 'test', cwd: dir }));
    const at = new Date('2026-03-01T10:00:00.000Z');
    await opened.store.recordEndpointResults(
      [
        { url: GONE, kind: 'gone', at, error: 'receiver answered 410 Gone: endpoint removed' },
        { url: FLAKY, kind: 'failure', count: 3, at, error: 'HTTP 503' },
      ],
      { now: at },
    );
  });

  afterEach(async () => {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists failing and disabled targets without credentials or query, as JSON when piped', async () => {
    const piped = capture(false);
    expect(await main(['endpoints', '--database-url', database], piped.io)).toBe(0);
    expect(piped.stdout()).not.toContain('s3cret');
    const views = JSON.parse(piped.stdout()) as { url: string; state: string; consecutiveFailures: number }[];
    expect(views.map((view) => [view.url, view.state, view.consecutiveFailures])).toEqual([
      [FLAKY, 'failing', 3],
      ['https://gone.example.test/hooks?…', 'disabled', 1],
    ]);
    const table = capture(true);
    expect(
      await main(['endpoints', 'list', '--state', 'disabled', '--database-url', database], table.io),
    ).toBe(0);
    expect(table.stdout()).toMatch(/^URL +STATE +FAILURES/);
    expect(table.stdout()).toContain('disabled');
    expect(table.stdout()).toContain('410 Gone');
    expect(table.stdout()).not.toContain('flaky');
  });

  it('enable re-enables a target named as listed, and prints how to replay what was skipped', async () => {
    const run = capture(true);
    const code = await main(
      ['endpoints', 'enable', 'https://gone.example.test/hooks?…', '--database-url', database],
      run.io,
    );
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    expect(run.stdout()).toContain('was          disabled (410 Gone)');
    expect(run.stdout()).toContain(
      'hooks-worker replay --status skipped --since 2026-03-01T10:00:00.000Z --limit 1000 --dry-run',
    );
    expect(run.stdout()).not.toContain('s3cret');
    expect(await opened.store.listEndpoints({ state: 'disabled' })).toEqual([]);
    const [gone] = await opened.store.listEndpoints({ state: 'healthy' });
    expect(gone).toMatchObject({ url: GONE, consecutiveFailures: 0, disabledAt: null });
  });

  it('has its own --help and is listed in the main help', async () => {
    const help = capture(false);
    expect(await main(['endpoints', '--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('hooks-worker endpoints enable <url>');
    expect(help.stdout()).toContain('--state <s1,s2>');
    const all = capture(false);
    expect(await main(['--help'], all.io)).toBe(0);
    expect(all.stdout()).toContain('  endpoints [enable]');
  });

  it('exits 1 for an unknown target and 2 for a bad --state or a missing <url>', async () => {
    const unknown = capture(false);
    expect(
      await main(
        ['endpoints', 'enable', 'https://nope.example.test/?key=abc', '--database-url', database],
        unknown.io,
      ),
    ).toBe(1);
    expect(unknown.stderr()).toContain('no endpoint https://nope.example.test/?… in this store');
    expect(unknown.stderr()).not.toContain('key=abc');
    const state = capture(false);
    expect(await main(['endpoints', '--state', 'sick', '--database-url', database], state.io)).toBe(2);
    expect(state.stderr()).toContain('--state must list healthy, failing, disabled; got "sick"');
    const missing = capture(false);
    expect(await main(['endpoints', 'enable', '--database-url', database], missing.io)).toBe(2);
    expect(missing.stderr()).toContain('missing <url>');
  });
});
