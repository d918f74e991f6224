import { join } from 'node:path';
import { ConfigurationError } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import {
  booleanValue,
  defineSetting,
  formatHelp,
  integerValue,
  loadConfig,
  SHARED_SETTINGS,
} from '../src/index.js';

const cwd = '/srv/app';

function load(env: Record<string, string> = {}, argv: string[] = []) {
  return loadConfig({ env, argv, cwd }).config;
}

function failure(env: Record<string, string>, argv: string[] = []): ConfigurationError {
  try {
    load(env, argv);
  } catch (error) {
    expect(ConfigurationError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).not.toMatch(/[\r\n]/);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadConfig defaults', () => {
  it('uses a SQLite file under the working directory, async delivery and a generated secret', () => {
    const config = load();
    expect(config.database).toMatchObject({ kind: 'sqlite', filename: join(cwd, '.data/hooks.sqlite') });
    expect(config.webhookUrl).toBeNull();
    expect(config.webhookSecretGenerated).toBe(true);
    expect(config.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(config.deliveryMode).toBe('async');
    expect(config.maxAttempts).toBe(8);
    expect(config.retrySchedule.text).toBe('0,5s,5m,30m,2h,5h,10h,10h');
    expect(config.retrySchedule.policy.delaysMs).toEqual([
      0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000,
    ]);
    expect(config.signatureScheme).toBe('campaignflow');
    expect(config.logLevel).toBe('info');
  });

  it('generates a whsec_ secret for Standard Webhooks, and a new one each time', () => {
    const a = load({ HOOKS_SIGNATURE_SCHEME: 'standard-webhooks' });
    const b = load({ HOOKS_SIGNATURE_SCHEME: 'standard-webhooks' });
    expect(a.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    expect(a.webhookSecret).not.toBe(b.webhookSecret);
  });

  it('treats empty values as absent', () => {
    expect(load({ HOOKS_MAX_ATTEMPTS: '', HOOKS_WEBHOOK_URL: '  ' }).maxAttempts).toBe(8);
    expect(load({}, ['--webhook-url=']).webhookUrl).toBeNull();
  });
});

describe('loadConfig reads every setting from the environment', () => {
  it('reads each HOOKS_ variable', () => {
    const config = load({
      HOOKS_DATABASE_URL: 'postgres://app:pw@db.internal:5432/hooks?schema=webhooks',
      HOOKS_WEBHOOK_URL: 'https://receiver.test/hooks?token=abc',
      HOOKS_WEBHOOK_SECRET: 'my-shared-secret',
      HOOKS_DELIVERY_MODE: 'sync',
      HOOKS_MAX_ATTEMPTS: '3',
      HOOKS_RETRY_SCHEDULE: '0,100ms,1s',
      HOOKS_SIGNATURE_SCHEME: 'github',
      HOOKS_LOG_LEVEL: 'debug',
    });
    expect(config.database).toMatchObject({
      kind: 'postgres',
      connectionString: 'postgres://app:pw@db.internal:5432/hooks',
      schema: 'webhooks',
      display: 'postgres://app:***@db.internal:5432/hooks?schema=webhooks',
    });
    expect(config.webhookUrl).toBe('https://receiver.test/hooks?token=abc');
    expect(config.webhookSecret).toBe('my-shared-secret');
    expect(config.webhookSecretGenerated).toBe(false);
    expect(config.deliveryMode).toBe('sync');
    expect(config.maxAttempts).toBe(3);
    expect(config.retrySchedule.policy.delaysMs).toEqual([0, 100, 1000]);
    expect(config.signatureScheme).toBe('github');
    expect(config.logLevel).toBe('debug');
  });

  it('accepts upper-case words for choices', () => {
    expect(load({ HOOKS_DELIVERY_MODE: 'SYNC', HOOKS_LOG_LEVEL: 'Warn' })).toMatchObject({
      deliveryMode: 'sync',
      logLevel: 'warn',
    });
  });

  it('reads the database URL forms', () => {
    const db = (url: string) => load({ HOOKS_DATABASE_URL: url }).database;
    expect(db('sqlite:./data/x.db')).toMatchObject({ kind: 'sqlite', filename: '/srv/app/data/x.db' });
    expect(db('sqlite:///var/lib/hooks.db')).toMatchObject({ kind: 'sqlite', filename: '/var/lib/hooks.db' });
    expect(db('/tmp/hooks.sqlite')).toMatchObject({ kind: 'sqlite', filename: '/tmp/hooks.sqlite' });
    expect(db('hooks.sqlite')).toMatchObject({ kind: 'sqlite', filename: '/srv/app/hooks.sqlite' });
    expect(db('sqlite::memory:')).toMatchObject({ kind: 'sqlite', filename: ':memory:' });
    expect(db('postgresql://u@h/d')).toMatchObject({ kind: 'postgres', schema: 'public' });
  });

  it('serialises the database location without its password', () => {
    const config = load({ HOOKS_DATABASE_URL: 'postgres://app:hunter2hunter2@db/hooks' });
    const json = JSON.stringify(config);
    expect(json).toContain('postgres://app:***@db/hooks');
    expect(json).not.toContain('hunter2hunter2');
  });
});

describe('flags', () => {
  it('win over the environment, in --name=value and --name value forms', () => {
    const config = load({ HOOKS_MAX_ATTEMPTS: '3', HOOKS_DELIVERY_MODE: 'sync', HOOKS_LOG_LEVEL: 'warn' }, [
      '--max-attempts=5',
      '--delivery-mode',
      'async',
      '--database-url=sqlite:/tmp/flag.db',
      '--webhook-url=http://127.0.0.1:9/x',
      '--webhook-secret=from-flag',
      '--retry-schedule=0,1s',
      '--signature-scheme=standard-webhooks',
      '--webhook-secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      '--log-level=error',
    ]);
    expect(config).toMatchObject({
      maxAttempts: 5,
      deliveryMode: 'async',
      webhookUrl: 'http://127.0.0.1:9/x',
      webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      signatureScheme: 'standard-webhooks',
      logLevel: 'error',
    });
    expect(config.database).toMatchObject({ kind: 'sqlite', filename: '/tmp/flag.db' });
    expect(config.retrySchedule.policy.delaysMs).toEqual([0, 1000]);
  });

  it('reports --help', () => {
    expect(loadConfig({ argv: ['--help'], env: {}, cwd }).help).toBe(true);
    expect(loadConfig({ argv: ['-h'], env: {}, cwd }).help).toBe(true);
    expect(loadConfig({ argv: [], env: {}, cwd }).help).toBe(false);
  });

  it('names the flag in errors when the value came from a flag', () => {
    expect(failure({ HOOKS_MAX_ATTEMPTS: '3' }, ['--max-attempts=0']).message).toBe(
      '--max-attempts must be an integer from 1 to 100, got "0"',
    );
  });

  it('refuses unknown options, missing values and positional arguments in one line without values', () => {
    expect(failure({}, ['--max-atempts=4']).message).toBe(
      'unknown option --max-atempts (run with --help to list the settings)',
    );
    expect(failure({}, ['--max-attempts']).message).toBe(
      '--max-attempts needs a value, e.g. --max-attempts=<value>',
    );
    const positional = failure({}, ['s3cr3t-pasted-here']).message;
    expect(positional).toContain('unexpected argument');
    expect(positional).not.toContain('s3cr3t');
    expect(failure({}, ['--webhook-secrt=hunter2hunter2']).message).not.toContain('hunter2');
  });
});

describe('bad values give one clear line naming the setting', () => {
  const cases: [Record<string, string>, string][] = [
    [{ HOOKS_MAX_ATTEMPTS: '-3' }, 'HOOKS_MAX_ATTEMPTS must be an integer from 1 to 100, got "-3"'],
    [{ HOOKS_MAX_ATTEMPTS: '101' }, 'HOOKS_MAX_ATTEMPTS must be an integer from 1 to 100, got "101"'],
    [{ HOOKS_MAX_ATTEMPTS: '2.5' }, 'HOOKS_MAX_ATTEMPTS must be an integer from 1 to 100, got "2.5"'],
    [{ HOOKS_MAX_ATTEMPTS: '1e2' }, 'HOOKS_MAX_ATTEMPTS must be an integer from 1 to 100, got "1e2"'],
    [{ HOOKS_DELIVERY_MODE: 'later' }, 'HOOKS_DELIVERY_MODE must be one of sync, async, got "later"'],
    [
      { HOOKS_SIGNATURE_SCHEME: 'svix' },
      'HOOKS_SIGNATURE_SCHEME must be one of campaignflow, standard-webhooks, github, got "svix"',
    ],
    [
      { HOOKS_LOG_LEVEL: 'loud' },
      'HOOKS_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [
      { HOOKS_RETRY_SCHEDULE: '0,5x' },
      'HOOKS_RETRY_SCHEDULE must be comma-separated durations such as 0,5s,5m,30m (units ms, s, m, h, d; at most 30 days each), got "0,5x"',
    ],
    [
      { HOOKS_WEBHOOK_URL: 'ftp://files.test/x' },
      'HOOKS_WEBHOOK_URL must be an absolute http:// or https:// URL',
    ],
    [
      { HOOKS_DATABASE_URL: 'mysql://root:pw@db/x' },
      'HOOKS_DATABASE_URL must be sqlite:<path>, a file path, or a postgres:// URL; got a "mysql:" URL',
    ],
    [
      { HOOKS_DATABASE_URL: 'postgres://u:pw@db/x?schema=Bad-Name' },
      'HOOKS_DATABASE_URL has a bad ?schema= parameter: use a plain lower-case identifier (a-z, 0-9, _), not starting with pg_',
    ],
    [
      { HOOKS_DATABASE_URL: 'postgres://u:pw@[bad/x' },
      'HOOKS_DATABASE_URL is not a valid postgres:// URL (postgres://user:password@host:5432/db)',
    ],
    [
      { HOOKS_DATABASE_URL: 'sqlite:' },
      'HOOKS_DATABASE_URL must name a SQLite file, e.g. sqlite:./.data/hooks.sqlite',
    ],
  ];
  it.each(cases)('%j', (env, message) => {
    expect(failure(env).message).toBe(message);
  });

  it('quotes long or multi-line values escaped and cut, so the message stays one line', () => {
    const message = failure({ HOOKS_LOG_LEVEL: `x\ny${'z'.repeat(200)}` }).message;
    expect(message).toContain('"x\\ny');
    expect(message.length).toBeLessThan(160);
  });

  it('never echoes a secret, a database password or the webhook URL', () => {
    const secret = failure({
      HOOKS_SIGNATURE_SCHEME: 'standard-webhooks',
      HOOKS_WEBHOOK_SECRET: 'not-a-whsec-secret',
    });
    expect(secret.message).toBe(
      'HOOKS_WEBHOOK_SECRET is not usable with the standard-webhooks scheme: expected a Standard Webhooks secret (whsec_ followed by base64 of 24 to 64 random bytes)',
    );
    expect(JSON.stringify({ ...secret, message: secret.message })).not.toContain('not-a-whsec-secret');
    const flag = failure({ HOOKS_SIGNATURE_SCHEME: 'standard-webhooks' }, [
      '--webhook-secret=plain-text-secret',
    ]);
    expect(flag.message.startsWith('--webhook-secret is not usable')).toBe(true);
    const url = failure({ HOOKS_WEBHOOK_URL: 'notaurl-with-token-abcdef' });
    expect(url.message).not.toContain('abcdef');
    const db = failure({ HOOKS_DATABASE_URL: 'postgres://u:hunter2hunter2@db/x?schema=Bad' });
    expect(db.message).not.toContain('hunter2');
  });
});

describe('app settings', () => {
  const extra = {
    port: defineSetting<number>({
      env: 'PORT',
      flag: 'port',
      description: 'HTTP port',
      defaultText: '4010',
      parse: (raw, context) => integerValue(raw, context, { min: 0, max: 65535, fallback: 4010 }),
    }),
    embedded: defineSetting<boolean>({
      env: 'HOOKS_EMBEDDED_WORKER',
      flag: 'embedded-worker',
      description: 'run the scheduler in this process',
      defaultText: 'on',
      parse: (raw, context) => booleanValue(raw, context, true),
    }),
  };

  it('are read beside the shared ones, flags first', () => {
    const { config } = loadConfig({
      env: { PORT: '8080', HOOKS_EMBEDDED_WORKER: 'off' },
      argv: ['--port=9090'],
      extra,
      cwd,
    });
    expect(config.port).toBe(9090);
    expect(config.embedded).toBe(false);
    expect(config.maxAttempts).toBe(8);
  });

  it('refuse bad switches in one line', () => {
    expect(() => loadConfig({ env: { HOOKS_EMBEDDED_WORKER: 'maybe' }, argv: [], extra, cwd })).toThrow(
      'HOOKS_EMBEDDED_WORKER must be on or off (true/false, yes/no, 1/0), got "maybe"',
    );
  });

  it('are listed by formatHelp with their variables and defaults', () => {
    const help = formatHelp('hooks-mock-server', { ...SHARED_SETTINGS, ...extra });
    expect(help).toContain('Usage: hooks-mock-server');
    for (const spec of Object.values({ ...SHARED_SETTINGS, ...extra })) {
      expect(help).toContain(`--${spec.flag}`);
      expect(help).toContain(spec.env);
    }
    expect(help).toContain('0,5s,5m,30m,2h,5h,10h,10h');
  });
});
