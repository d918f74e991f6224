import { describe, expect, it } from 'vitest';
import { main } from '../src/worker-cli.js';
import { expectOneLineRefusal } from './helpers/one-line-refusal.js';
import { runCli } from './helpers/worker-process.js';

const EXIT_CODES_LINE = /130\s+forced stop/;

describe('hooks-worker usage', () => {
  it('prints the commands and the exit codes for --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run', 'replay', 'inspect <id>', 'stats'])
      expect(result.stdout).toContain(`  ${command}`);
    expect(result.stdout).toMatch(EXIT_CODES_LINE);
  });

  it.each([
    [
      'run',
      [
        '--concurrency',
        'HOOKS_WORKER_CONCURRENCY',
        '--shutdown-timeout',
        '--metrics-port',
        '--webhook-secret',
      ],
    ],
    [
      'replay',
      [
        '--limit <n>',
        '--dry-run',
        '--ids',
        '--type',
        '--target-url <url>',
        '--since',
        '--until',
        '--status',
        '--max-replays',
      ],
    ],
    ['inspect', ['inspect <id>', '--json', '--database-url']],
    ['stats', ['--json', '--database-url']],
  ])(
    'prints the flags of %s for --help (and the same for -h and `help <command>`)',
    async (command, expected) => {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      for (const text of expected) expect(result.stdout).toContain(text);
      expect(result.stdout).toMatch(EXIT_CODES_LINE);
      for (const argv of [
        [command, '-h'],
        ['help', command],
      ]) {
        const out: string[] = [];
        const io = {
          stdout: { write: (text: string) => out.push(text) },
          stderr: process.stderr,
          env: {},
          cwd: '.',
        };
        expect(await main(argv, io)).toBe(0);
        expect(out.join('')).toBe(result.stdout);
      }
    },
  );

  it('exits 2 with the usage for no command or an unknown one', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: hooks-worker <command>');
    const unknown = await runCli(['deliver']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deliver"');
    expect(unknown.stderr).toContain('Usage: hooks-worker <command>');
  });

  it.each([
    ['run', ['--concurency', '4'], 'unknown option --concurency'],
    ['replay', ['--type', 'x', '--limit', '5', '--dryrun'], 'unknown option --dryrun'],
    ['stats', ['--verbose'], 'unknown option --verbose'],
    ['inspect', ['evt_1', '--all'], 'unknown option --all'],
    ['inspect', [], 'missing <id>'],
    ['inspect', ['evt_1', 'evt_2'], 'unexpected argument "evt_2"'],
    ['replay', ['--limit'], '--limit needs a value'],
  ])('%s %j: prints the problem and the usage, exits 2', async (command, args, message) => {
    const result = await runCli([command, ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(
      `hooks-worker ${command}: ${message}${command === 'run' ? ' (run with --help to list the settings)' : ''}`,
    );
    expect(result.stderr).toContain(`Usage: hooks-worker ${command}`);
  });

  it.each([
    [['run', '--concurrency', '0'], {}, '--concurrency must be an integer from 1 to 10000, got "0"'],
    [['run'], { HOOKS_WORKER_LEASE: 'forever' }, 'HOOKS_WORKER_LEASE must be a duration from 100ms to 24h'],
    [
      ['run', '--lease', '2s', '--request-timeout', '5s'],
      {},
      '--request-timeout must be shorter than the lease (2s)',
    ],
    [['run', '--metrics-port', '70000'], {}, '--metrics-port must be an integer from 0 to 65535'],
    [
      ['run', '--signature-scheme', 'md5'],
      {},
      '--signature-scheme must be one of campaignflow, standard-webhooks, github',
    ],
    [
      ['run', '--database-url', 'mysql://u:hunter2@db/x'],
      {},
      '--database-url must be sqlite:<path>, a file path, or a postgres:// URL',
    ],
    [
      ['stats'],
      { HOOKS_DATABASE_URL: 'postgres://u:hunter2@db/x?schema=Bad-Name' },
      'HOOKS_DATABASE_URL has a bad ?schema= parameter',
    ],
    [
      ['replay', '--type', 'x', '--limit', 'lots'],
      {},
      '--limit must be an integer from 1 to 10000, got "lots"',
    ],
    [
      ['replay', '--type', 'x', '--since', 'yesterday', '--limit', '5'],
      {},
      '--since must be a duration back from now',
    ],
    [
      ['replay', '--status', 'pending', '--type', 'x', '--limit', '5'],
      {},
      'status must be delivered, failed or skipped',
    ],
    [
      ['replay', '--target-url', 'mailto:ops@example.test', '--limit', '5'],
      {},
      'targetUrl must be an http or https URL',
    ],
    [['inspect', 'not an id'], {}, 'id must be 1 to 64 letters, digits'],
  ])('%j %j: one line naming the setting, exit 2', async (args, env, message) => {
    expectOneLineRefusal(await runCli(args, env), message, 'hunter2');
  });

  it('refuses an unbounded replay with the core message, its examples, and exit 2', async () => {
    const result = await runCli(['replay', '--limit', '100']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Refusing an unbounded replay. replay needs a selector');
    expect(result.stderr).toContain('{ eventType: "campaign_status_change", limit: 100 }');
    expect(result.stderr).toContain(
      'hooks-worker replay --type campaign_status_change --since 1h --limit 100 --dry-run',
    );
    expect(result.stderr).toContain('{ targetUrl: "https://example.com/hooks", limit: 100 }');
    expect(result.stderr).toContain('hooks-worker replay --target-url https://receiver.example.com/hooks');
    const noLimit = await runCli(['replay', '--type', 'campaign_status_change']);
    expect(noLimit.code).toBe(2);
    expect(noLimit.stderr).toContain('limit is required');
  });

  it('exits 1 with one clear log line when the store cannot be reached, never showing the password', async () => {
    const result = await runCli([
      'run',
      '--database-url',
      'postgres://app:hunter2@127.0.0.1:1/hooks',
      '--webhook-secret',
      'x',
    ]);
    expect(result.code).toBe(1);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const failure = lines.find((line) => line.msg === 'cannot open the store');
    expect(failure).toMatchObject({ level: 50, database: 'postgres://app:***@127.0.0.1:1/hooks' });
    expect(result.stdout + result.stderr).not.toContain('hunter2');
    const stats = await runCli(['stats', '--database-url', 'postgres://app:hunter2@127.0.0.1:1/hooks']);
    expect(stats.code).toBe(1);
    expect(stats.stderr).toContain(
      'hooks-worker stats: cannot open the database postgres://app:***@127.0.0.1:1/hooks',
    );
    expect(stats.stderr).not.toContain('hunter2');
  });
});
