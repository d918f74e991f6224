import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, SHARED_SETTINGS } from '@hooks/app-shared';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { expectConfigOrClearError } from '../../shared/test/support/config-outcome.js';
import {
  junk,
  type Secrets,
  scenario,
  sharedValues,
  token,
  wasGiven,
} from '../../shared/test/support/config-scenarios.js';
import { main } from '../src/worker-cli.js';
import { resolveRequestTimeout, WORKER_SETTINGS } from '../src/worker-settings.js';

const TABLE = { ...SHARED_SETTINGS, ...WORKER_SETTINGS };
const flagOf = (env: string) => Object.values(TABLE).find((spec) => spec.env === env)?.flag;
const duration = fc.oneof(fc.constantFrom('500ms', '10s', '2m', '0', '99ms', '25h', '1h', '-1s', '10'), junk);
// Operator commands run in-process against a throwaway directory: a relative SQLite path lands there.
const cwd = mkdtempSync(join(tmpdir(), 'worker-settings-fuzz-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function workerValues(secrets: Secrets): Record<string, fc.Arbitrary<string>> {
  return {
    ...sharedValues(secrets),
    HOOKS_WORKER_CONCURRENCY: fc.oneof(fc.constantFrom('1', '32', '10000', '0', '10001'), junk),
    HOOKS_WORKER_BATCH_SIZE: fc.oneof(fc.constantFrom('1', '100', '0', '100000'), junk),
    HOOKS_WORKER_LEASE: duration,
    HOOKS_WORKER_POLL_INTERVAL: duration,
    HOOKS_WORKER_REQUEST_TIMEOUT: duration,
    HOOKS_WORKER_SHUTDOWN_TIMEOUT: duration,
    HOOKS_WORKER_METRICS_PORT: fc.oneof(fc.constantFrom('0', '9464', '70000', '-1'), junk),
    HOOKS_WORKER_METRICS_HOST: fc.oneof(fc.constantFrom('127.0.0.1', '0.0.0.0'), junk),
    HOOKS_WORKER_ID: fc.oneof(fc.constantFrom('worker-1', 'w'.repeat(201)), junk),
  };
}

/** What `main` printed and returned for one command line. */
async function runMain(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: {
      write: (text: string) => {
        stdout += text;
      },
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
      },
    },
    env,
    cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('fuzz: hooks-worker settings', () => {
  it('run: a configuration or one clear error naming a setting that was given, never a secret', () => {
    fc.assert(
      fc.property(scenario(workerValues, flagOf), ({ secrets, env, argv }) => {
        const error = expectConfigOrClearError(() => {
          const { config } = loadConfig({ env, argv, cwd: '/srv/worker', extra: WORKER_SETTINGS });
          resolveRequestTimeout(config.leaseMs, config.requestTimeoutMs, argv);
        }, Object.values(secrets));
        if (error === undefined) return;
        const field = String(error.details?.field);
        expect(wasGiven(field, env, argv), `${field} was not given: ${error.message}`).toBe(true);
      }),
      { numRuns: 800 },
    );
  });

  it('replay, inspect, stats and endpoints: exit 0, 1 or 2, one line naming the problem, never the password', async () => {
    const flagValue = fc.oneof(
      fc.constantFrom('evt_01', 'campaign_status_change', '1h', '2026-01-31T12:00:00Z', 'failed', '10', '0'),
      fc.constantFrom('pending', 'a,,b', '-5', '1e3', 'yesterday', '10001', ' '),
      fc.constantFrom('https://receiver.example.test/hooks?a=1,2', 'ftp://x.test/', 'mailto:a@b.test'),
      junk,
    );
    const option = fc.constantFrom(
      '--ids',
      '--type',
      '--target-url',
      '--since',
      '--until',
      '--status',
      '--limit',
      '--max-replays',
    );
    const arg = fc.oneof(
      fc.tuple(option, flagValue).map(([name, value]) => [`${name}=${value}`]),
      fc.tuple(option, flagValue).map(([name, value]) => [name, value]),
      fc.constantFrom(
        ['--dry-run'],
        ['--json'],
        ['--'],
        ['--verbose'],
        ['--limit'],
        ['evt_01HZX3Q0000000000000000'],
      ),
      junk.filter((text) => !text.startsWith('-')).map((text) => [text]),
    );
    const command = fc.constantFrom('replay', 'inspect', 'stats', 'endpoints');
    await fc.assert(
      fc.asyncProperty(command, fc.array(arg, { maxLength: 5 }), token, async (name, parts, password) => {
        const argv = [name, ...parts.flat()];
        // An unreachable PostgreSQL (refused at once) or an in-memory SQLite: the command gets that far.
        const database =
          parts.length % 2 === 0 ? 'sqlite::memory:' : `postgres://app:${password}@127.0.0.1:1/x`;
        const { code, stdout, stderr } = await runMain(argv, { HOOKS_DATABASE_URL: database });
        expect([0, 1, 2]).toContain(code);
        expect(stdout + stderr).not.toContain(password);
        if (code === 0) return;
        const first = stderr.split('\n')[0]!;
        expect(first.startsWith(`hooks-worker ${name}: `), stderr).toBe(true);
        expect(first.length).toBeGreaterThan(`hooks-worker ${name}: `.length + 5);
        expect(first).not.toMatch(/TypeError|RangeError|undefined|\[object/);
        // Only a usage error adds the usage text; any other failure is exactly one line.
        if (!stderr.includes('Usage: hooks-worker')) expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
    expect(readdirSync(cwd)).toEqual([]);
  });
});
