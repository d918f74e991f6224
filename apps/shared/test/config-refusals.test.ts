import { ConfigurationError, StoreUnavailableError } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { loadConfig, openStore, parseDatabaseUrl } from '../src/index.js';

const cwd = '/srv/app';

function refusal(env: Record<string, string>, argv: string[] = []): string {
  try {
    loadConfig({ env, argv, cwd });
  } catch (error) {
    expect(ConfigurationError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('a blank webhook secret is refused, not replaced by a generated one', () => {
  it.each([
    [{ HOOKS_WEBHOOK_SECRET: '' }, [], 'HOOKS_WEBHOOK_SECRET'],
    [{ HOOKS_WEBHOOK_SECRET: '   ' }, [], 'HOOKS_WEBHOOK_SECRET'],
    [{}, ['--webhook-secret='], '--webhook-secret'],
    [{}, ['--webhook-secret', ' '], '--webhook-secret'],
  ])('%j %j', (env, argv, name) => {
    expect(refusal(env, argv)).toBe(
      `${name} is empty: give the receivers' secret, or leave it unset to have one generated`,
    );
  });

  it('an unset secret is still generated, and a given flag wins over a blank variable', () => {
    expect(loadConfig({ env: {}, argv: [], cwd }).config.webhookSecretGenerated).toBe(true);
    const config = loadConfig({ env: { HOOKS_WEBHOOK_SECRET: '' }, argv: ['--webhook-secret=s3cret'], cwd });
    expect(config.config).toMatchObject({ webhookSecret: 's3cret', webhookSecretGenerated: false });
  });
});

describe('an unreachable database is refused naming the setting, never the password', () => {
  it.each([
    ['HOOKS_DATABASE_URL', 'HOOKS_DATABASE_URL'],
    ['--database-url', '--database-url'],
  ])('given as %s', async (name) => {
    const location = parseDatabaseUrl('postgres://app:hunter2hunter2@127.0.0.1:1/hooks', { name, cwd });
    const error = await openStore(location).catch((caught: unknown) => caught);
    expect(StoreUnavailableError.isInstance(error)).toBe(true);
    const { message, details } = error as StoreUnavailableError;
    expect(message).toMatch(
      new RegExp(
        `^cannot open the database postgres://app:\\*\\*\\*@127\\.0\\.0\\.1:1/hooks \\(${name}\\): \\S`,
      ),
    );
    expect(message).not.toMatch(/[\r\n]/);
    expect(details).toEqual({ database: 'postgres://app:***@127.0.0.1:1/hooks', field: name });
    expect(`${message} ${JSON.stringify(details)}`).not.toContain('hunter2');
  });
});
