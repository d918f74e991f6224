import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnApp } from './helpers/app-process.js';
import { CLI } from './helpers/worker-process.js';

// Both apps, started as a user would with a bad setting: a non-zero exit and exactly one line of output that
// names the setting as it was given, never the password or the secret. (cli-usage.test.ts covers more of
// the worker's own flags; mock-server/test/cli.test.ts the mock server's help and a clean start.)

const MOCK_CLI = fileURLToPath(new URL('../../mock-server/dist/cli.js', import.meta.url));
const PASSWORD = `pw${randomBytes(8).toString('hex')}`;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const MARKER = randomBytes(8).toString('hex');

type App = 'mock-server' | 'worker';

/** One bad start: the settings, the text the one line must hold, and which apps it applies to. */
interface BadStart {
  what: string;
  env?: Record<string, string>;
  /** Variables of the base environment to leave out. */
  unset?: string[];
  args?: string[];
  line: string;
  apps?: readonly App[];
}

const CASES: BadStart[] = [
  {
    what: 'invalid webhook URL',
    env: { HOOKS_WEBHOOK_URL: `not a url ${MARKER}` },
    line: 'HOOKS_WEBHOOK_URL must be an absolute http:// or https:// URL',
  },
  {
    what: 'webhook URL of another scheme',
    args: [`--webhook-url=ftp://files.test/${MARKER}`],
    line: '--webhook-url must be an absolute http:// or https:// URL',
  },
  { what: 'empty secret', env: { HOOKS_WEBHOOK_SECRET: '' }, line: 'HOOKS_WEBHOOK_SECRET is empty' },
  {
    what: 'blank secret flag',
    args: ['--webhook-secret='],
    unset: ['HOOKS_WEBHOOK_SECRET'],
    line: '--webhook-secret is empty',
  },
  {
    what: 'malformed whsec_ secret',
    env: {
      HOOKS_SIGNATURE_SCHEME: 'standard-webhooks',
      HOOKS_WEBHOOK_SECRET: `whsec_${MARKER}!!${SECRET.slice(6)}`,
    },
    line: 'HOOKS_WEBHOOK_SECRET is not usable with the standard-webhooks scheme',
  },
  {
    what: 'Ed25519 key of the wrong length',
    args: [
      '--signature-scheme=standard-webhooks',
      `--webhook-secret=whsk_${Buffer.from(MARKER).toString('base64')}`,
    ],
    line: '--webhook-secret is not usable with the standard-webhooks scheme',
  },
  {
    what: 'negative max attempts',
    env: { HOOKS_MAX_ATTEMPTS: '-1' },
    line: 'HOOKS_MAX_ATTEMPTS must be an integer from 1 to 100, got "-1"',
  },
  {
    what: 'negative retry delay',
    env: { HOOKS_RETRY_SCHEDULE: '0,-5s' },
    line: 'HOOKS_RETRY_SCHEDULE must be comma-separated durations',
  },
  {
    what: 'negative port',
    args: ['--port=-1'],
    line: '--port must be an integer from 0 to 65535, got "-1"',
    apps: ['mock-server'],
  },
  {
    what: 'negative concurrency',
    args: ['--concurrency=-4'],
    line: '--concurrency must be an integer from 1 to 10000, got "-4"',
    apps: ['worker'],
  },
  {
    what: 'no secret with a PostgreSQL database (workers would sign differently)',
    env: { HOOKS_DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:5432/test` },
    unset: ['HOOKS_WEBHOOK_SECRET'],
    line: 'HOOKS_WEBHOOK_SECRET is required with a PostgreSQL database',
    apps: ['worker'],
  },
  {
    what: 'negative shutdown timeout',
    env: { HOOKS_WORKER_SHUTDOWN_TIMEOUT: '-1s' },
    line: 'HOOKS_WORKER_SHUTDOWN_TIMEOUT must be a duration',
    apps: ['worker'],
  },
  {
    what: 'unknown delivery mode',
    env: { HOOKS_DELIVERY_MODE: 'later' },
    line: 'HOOKS_DELIVERY_MODE must be one of sync, async, got "later"',
  },
  {
    what: 'unknown signature scheme',
    env: { HOOKS_SIGNATURE_SCHEME: 'svix' },
    line: 'HOOKS_SIGNATURE_SCHEME must be one of campaignflow, standard-webhooks, github, got "svix"',
  },
  {
    what: 'a database URL of another kind',
    env: { HOOKS_DATABASE_URL: `mysql://root:${PASSWORD}@db/x` },
    line: 'HOOKS_DATABASE_URL must be sqlite:<path>, a file path, or a postgres:// URL',
  },
  {
    what: 'unreachable database (variable)',
    env: { HOOKS_DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:1/test` },
    line: 'cannot open the database postgres://postgres:***@127.0.0.1:1/test (HOOKS_DATABASE_URL): ',
  },
  {
    what: 'unreachable database (flag)',
    args: [`--database-url=postgresql://app:${PASSWORD}@127.0.0.1:1/hooks?schema=h3`],
    line: 'cannot open the database postgresql://app:***@127.0.0.1:1/hooks?schema=h3 (--database-url): ',
  },
];

const APPS: Record<App, { script: string; args: string[]; prefix: RegExp }> = {
  'mock-server': { script: MOCK_CLI, args: ['--port=0'], prefix: /^hooks-mock-server: / },
  worker: { script: CLI, args: ['run'], prefix: /^hooks-worker run: / },
};

/** The one line a failed start printed: stderr text, or the `error` of the worker's one JSON log line. */
function theLine(output: string): string {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  expect(lines, `expected exactly one line, got:\n${output}`).toHaveLength(1);
  const [line] = lines as [string];
  if (!line.startsWith('{')) return line;
  const log = JSON.parse(line) as { level: number; msg: string; error: string };
  expect(log).toMatchObject({ level: 50, msg: 'cannot open the store' });
  return `hooks-worker run: ${log.error}`;
}

describe.each(Object.keys(APPS) as App[])('%s refuses a bad configuration at start', (app) => {
  const cases = CASES.filter((bad) => bad.apps === undefined || bad.apps.includes(app));
  it.each(cases.map((bad) => [bad.what, bad] as const))('%s', async (_what, bad) => {
    const { script, args, prefix } = APPS[app];
    const env: Record<string, string> = {
      HOOKS_WEBHOOK_SECRET: SECRET,
      HOOKS_DATABASE_URL: 'sqlite::memory:',
      ...bad.env,
    };
    for (const name of bad.unset ?? []) delete env[name];
    const started = spawnApp(script, [...args, ...(bad.args ?? [])], env);
    // A start that is not refused runs on: stop it and say so rather than wait for the test timeout.
    const late = setTimeout(() => started.child.kill('SIGKILL'), 20_000);
    const code = await started.exited.finally(() => clearTimeout(late));
    expect(started.child.signalCode, `${app} started instead of refusing:\n${started.stdout()}`).toBeNull();
    const output = started.stdout() + started.stderr();
    expect(code, output).not.toBe(0);
    const line = theLine(output);
    expect(line).toMatch(prefix);
    expect(line).toContain(bad.line);
    for (const hidden of [PASSWORD, SECRET, SECRET.slice(6), MARKER]) expect(output).not.toContain(hidden);
  });
});
