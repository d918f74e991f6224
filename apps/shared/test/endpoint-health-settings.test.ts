import { ConfigurationError, type WebhookStore } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import {
  appDispatcherOptions,
  appEndpointHealth,
  formatHelp,
  loadConfig,
  SHARED_SETTINGS,
} from '../src/index.js';

function load(env: Record<string, string> = {}, argv: string[] = []) {
  return loadConfig({ env, argv, cwd: '/srv/app' }).config;
}

describe('endpoint health settings', () => {
  it('default to 24 hours of failing, with the count threshold off', () => {
    const config = load();
    expect(config.disableAfterFailures).toBeNull();
    expect(config.disableAfterMs).toBe(24 * 3_600_000);
    expect(appEndpointHealth(config)).toEqual({ disableAfterFailures: null, disableAfterMs: 86_400_000 });
  });

  it('read counts, durations and off from the environment and flags (flags win)', () => {
    const config = load({ HOOKS_DISABLE_AFTER_FAILURES: '5', HOOKS_DISABLE_AFTER: '90m' });
    expect(config).toMatchObject({ disableAfterFailures: 5, disableAfterMs: 90 * 60_000 });
    const off = load({ HOOKS_DISABLE_AFTER_FAILURES: 'off', HOOKS_DISABLE_AFTER: '0' });
    expect(off).toMatchObject({ disableAfterFailures: null, disableAfterMs: null });
    const flags = load({ HOOKS_DISABLE_AFTER_FAILURES: '5' }, [
      '--disable-after-failures=7',
      '--disable-after',
      '2d',
    ]);
    expect(flags).toMatchObject({ disableAfterFailures: 7, disableAfterMs: 2 * 86_400_000 });
  });

  it('refuse bad values with one line naming the setting', () => {
    expect(() => load({ HOOKS_DISABLE_AFTER_FAILURES: '-3' })).toThrow(
      /^HOOKS_DISABLE_AFTER_FAILURES must be an integer from 1 to 1000000, got "-3"$/,
    );
    expect(() => load({}, ['--disable-after=soon'])).toThrow(
      /^--disable-after must be a duration from 1s to 365d such as 24h, 90m or 2d, or off; got "soon"$/,
    );
    expect(() => load({ HOOKS_DISABLE_AFTER: '500ms' })).toThrow(ConfigurationError);
    expect(() => load({ HOOKS_DISABLE_AFTER: '500ms' })).toThrow(/^HOOKS_DISABLE_AFTER must be a duration/);
  });

  it('reach the engine through appDispatcherOptions and show in --help', () => {
    const config = load({ HOOKS_DISABLE_AFTER_FAILURES: '3', HOOKS_DISABLE_AFTER: 'off' });
    const options = appDispatcherOptions(config, { store: {} as WebhookStore });
    expect(options.endpointHealth).toEqual({ disableAfterFailures: 3, disableAfterMs: null });
    const help = formatHelp('app', SHARED_SETTINGS);
    expect(help).toContain('--disable-after-failures');
    expect(help).toContain('HOOKS_DISABLE_AFTER');
  });
});
