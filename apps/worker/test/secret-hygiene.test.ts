import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpTables } from '../../shared/test/support/database-rows.js';
import { type AppProcess, spawnApp } from './helpers/app-process.js';
import {
  allRows,
  createTestDatabase,
  eventually,
  TEST_DATABASE_URL,
  type TestDatabase,
  unavailable,
} from './helpers/postgres.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { CLI, runCli } from './helpers/worker-process.js';

// The mock server and the worker run as real processes, at log level debug, with a known webhook secret and a
// database URL with a known password, through success, retry, failure, both replays, redelivery, bad
// requests, bad configurations and an unreachable database. Every byte they print, every HTTP body they
// answer and every row they store is collected; the secret, its base64 body and the password appear nowhere.

const MOCK_CLI = fileURLToPath(new URL('../../mock-server/dist/cli.js', import.meta.url));
const KEY = randomBytes(32);
const BODY = KEY.toString('base64');
const SECRET = `whsec_${BODY}`;
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const NEEDLES = {
  secret: SECRET,
  'base64 body': BODY,
  'key as hex': KEY.toString('hex'),
  password: PASSWORD,
};
const skipped = unavailable ? ` (skipped: ${unavailable})` : '';

/** How the receiver treats a new event id: 200, one 500 then 200, or 500 until allowed. */
type Behaviour = 'ok' | 'retry' | 'fail';

/** What was collected, by where it came from. */
const collected: { source: string; text: string }[] = [];
const collect = (source: string, text: string): void => {
  collected.push({ source, text });
};

function withPassword(url: string, password: string, port?: number): string {
  const parsed = new URL(url);
  parsed.username ||= 'postgres';
  parsed.password = password;
  if (port !== undefined) parsed.port = String(port);
  return parsed.toString();
}

describe.skipIf(unavailable !== undefined)(`secret hygiene across both apps${skipped}`, () => {
  let db: TestDatabase;
  let receiver: Receiver;
  let server: AppProcess | undefined;
  let worker: AppProcess | undefined;
  const queue: Behaviour[] = [];
  const assigned = new Map<string, Behaviour>();
  const failing = new Set<string>();

  afterAll(async () => {
    for (const child of [server, worker]) if (child?.child.exitCode === null) child.child.kill('SIGKILL');
    await receiver?.close();
    await db?.dispose();
  });

  it('never shows the secret or the password in output, HTTP bodies or stored rows', async () => {
    db = await createTestDatabase('hygiene');
    const databaseUrl = withPassword(db.url, PASSWORD);
    receiver = await startReceiver({
      secret: SECRET,
      scheme: 'standard-webhooks',
      reply: (id, seen) => {
        if (!assigned.has(id)) {
          const behaviour = queue.shift() ?? 'ok';
          assigned.set(id, behaviour);
          if (behaviour === 'fail') failing.add(id);
        }
        if (failing.has(id)) return { status: 500 };
        return assigned.get(id) === 'retry' && seen === 0 ? { status: 503 } : {};
      },
    });
    const env = {
      HOOKS_DATABASE_URL: databaseUrl,
      HOOKS_WEBHOOK_URL: receiver.url,
      HOOKS_WEBHOOK_SECRET: SECRET,
      HOOKS_SIGNATURE_SCHEME: 'standard-webhooks',
      HOOKS_LOG_LEVEL: 'debug',
      HOOKS_MAX_ATTEMPTS: '3',
      HOOKS_RETRY_SCHEDULE: '0,200ms,200ms',
    };

    // The mock server stores events; a separate worker delivers them (the embedded one is off).
    server = spawnApp(MOCK_CLI, ['--port=0'], { ...env, HOOKS_EMBEDDED_WORKER: 'off' });
    const [, base] = await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    worker = spawnApp(
      CLI,
      ['run', '--metrics-port=0', '--poll-interval=100ms', '--concurrency=4', '--shutdown-timeout=2s'],
      env,
    );
    const [, metricsPort] = await worker.waitFor(/"port":(\d+)[^\n]*metrics listening/);
    await worker.waitFor(/worker started/);

    /** Calls the mock server; keeps the response body. */
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      collect(`${method} ${path} -> ${response.status}`, text);
      return { status: response.status, text, json: () => JSON.parse(text) };
    };
    const basic = `Basic ${Buffer.from('hygiene:client').toString('base64')}`;
    const issued = await call(
      'POST',
      '/oauth2/v1/token',
      { grant_type: 'client_credentials' },
      { authorization: basic },
    );
    const auth = { authorization: `Bearer ${issued.json().access_token}` };
    const campaign = (await call('POST', '/api/v2/campaigns', { name: 'Hygiene' }, auth)).json().data.id;
    const statuses = ['active', 'paused'];
    let flips = 0;
    /** Emits one event that the receiver treats as `behaviour`; resolves with its id once received. */
    const emit = async (behaviour: Behaviour): Promise<string> => {
      queue.push(behaviour);
      const status = statuses[flips++ % 2];
      const response = await call('POST', `/api/v2/campaigns/${campaign}/set-status`, { status }, auth);
      const id = response.json().meta.events[0] as string;
      await receiver.waitFor(() => assigned.has(id), 20_000, `the first request for ${id}`);
      return id;
    };
    const settled = (id: string, status: string, attempts?: number) =>
      eventually(
        async () => {
          const row = await db.store.get(id);
          return row?.status === status && (attempts === undefined || row.attempts === attempts);
        },
        `${id} ${status}`,
        30_000,
      );

    // Success, a retry, and two that fail every attempt.
    const ok = await emit('ok');
    const retried = await emit('retry');
    const failedA = await emit('fail');
    const failedB = await emit('fail');
    await settled(ok, 'delivered', 1);
    await settled(retried, 'delivered', 2);
    await settled(failedA, 'failed', 3);
    await settled(failedB, 'failed', 3);
    failing.clear();

    // Replay with the worker's command, then with the admin API; redeliver through the admin API.
    const replay = await runCli(['replay', '--ids', failedA, '--limit', '1'], env);
    collect('hooks-worker replay', replay.stdout + replay.stderr);
    expect(replay.code).toBe(0);
    await settled(failedA, 'delivered');
    expect((await call('POST', '/_mock/webhook-events/replay', { ids: [failedB], limit: 1 })).status).toBe(
      200,
    );
    await settled(failedB, 'delivered');
    expect((await call('POST', `/_mock/webhook-events/${ok}/redeliver`)).status).toBe(200);
    expect((await db.store.get(ok))?.replayCount).toBe(1);

    // Invalid requests: bad bodies, a bad token, an unbounded replay, unknown ids, bad queries.
    await call('POST', '/api/v2/campaigns', { name: 42, secret: SECRET }, auth);
    await call('POST', '/api/v2/campaigns', `{"name":"${SECRET}"`, auth);
    await call('GET', '/api/v2/campaigns', undefined, { authorization: `Bearer ${BODY}` });
    await call('POST', '/oauth2/v1/token', { grant_type: SECRET }, { authorization: basic });
    await call('POST', '/_mock/webhook-events/replay', { limit: 5 });
    await call('GET', `/_mock/webhook-events/${BODY.replace(/[+/=]/g, '')}`);
    await call('GET', `/_mock/webhook-events?cursor=${encodeURIComponent(BODY)}&limit=abc`);
    await call('GET', '/api/v2/nothing?page=0');

    // Every read surface: admin API, diagnostics, metrics, health, dashboard; the worker's too.
    await call('GET', '/_mock/webhook-events?limit=100');
    for (const id of [ok, retried, failedA, failedB]) await call('GET', `/_mock/webhook-events/${id}`);
    for (const path of ['/_mock/diagnostics', '/_mock/endpoints', '/metrics', '/healthz', '/_mock/']) {
      await call('GET', path);
    }
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      const response = await fetch(`http://127.0.0.1:${metricsPort}${path}`);
      collect(`worker ${path}`, await response.text());
    }
    for (const args of [
      ['inspect', retried, '--json'],
      ['inspect', ok],
      ['stats', '--json'],
      ['endpoints', '--json'],
      ['replay', '--type', 'campaign_status_change', '--status', 'delivered', '--limit', '5', '--dry-run'],
    ]) {
      const result = await runCli(args, env);
      collect(`hooks-worker ${args.join(' ')}`, result.stdout + result.stderr);
      expect(result.code, result.stderr).toBe(0);
    }

    // Bad configurations and an unreachable database, for both apps: refused, and still nothing shown.
    const unreachable = withPassword(TEST_DATABASE_URL, PASSWORD, 1);
    const starts: [string, string[], Record<string, string>][] = [
      ['max attempts -1', [], { HOOKS_MAX_ATTEMPTS: '-1' }],
      ['malformed secret', [], { HOOKS_WEBHOOK_SECRET: `whsec_${BODY}!!` }],
      ['secret in a mistyped flag', [`--webhook-secrt=${SECRET}`], {}],
      ['secret as a stray argument', ['--', SECRET], {}],
      [
        'bad database schema',
        [],
        { HOOKS_DATABASE_URL: `${databaseUrl.split('?')[0]}?schema=Bad-${PASSWORD}` },
      ],
      ['unreachable database', [], { HOOKS_DATABASE_URL: unreachable }],
    ];
    for (const [what, args, extra] of starts) {
      for (const [app, script, prefix] of [
        ['mock server', MOCK_CLI, ['--port=0']],
        ['worker', CLI, ['run']],
      ] as const) {
        const started = spawnApp(script, [...prefix, ...args], { ...env, ...extra });
        const code = await started.exited;
        collect(`${app} start: ${what}`, started.stdout() + started.stderr());
        expect(code, `${app} start with ${what}: ${started.stderr()}`).not.toBe(0);
      }
    }
    const stats = await runCli(['stats'], { ...env, HOOKS_DATABASE_URL: unreachable });
    collect('hooks-worker stats (unreachable)', stats.stdout + stats.stderr);
    expect(stats.code).toBe(1);

    // Stop both; then everything they said and everything stored.
    worker.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await server.exited).toBe(0);
    collect('mock server output', server.stdout() + server.stderr());
    collect('worker output', worker.stdout() + worker.stderr());
    const tables = await dumpTables({
      kind: 'postgres',
      connectionString: TEST_DATABASE_URL,
      schema: db.schema,
    });
    for (const [table, rows] of Object.entries(tables)) collect(`table ${table}`, rows.join('\n'));

    // The run did what it claims: the worker wrote debug lines, every event was delivered, attempts were kept.
    expect(worker.stdout()).toContain('"level":20');
    expect(receiver.rejected).toBe(0);
    const rows = await allRows(db.store);
    expect(rows.map((row) => row.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(Object.keys(tables).length).toBeGreaterThanOrEqual(3);
    expect(collected.length).toBeGreaterThan(40);

    const leaks = collected.flatMap(({ source, text }) =>
      Object.entries(NEEDLES).flatMap(([name, needle]) => {
        const at = text.indexOf(needle);
        return at === -1 ? [] : [`${name} in ${source}: ...${text.slice(Math.max(0, at - 200), at + 100)}`];
      }),
    );
    expect(leaks).toEqual([]);
  }, 240_000);
});
