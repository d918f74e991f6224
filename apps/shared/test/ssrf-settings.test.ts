import { ConfigurationError, type WebhookStore } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import {
  appDispatcherOptions,
  formatHelp,
  loadConfig,
  SHARED_SETTINGS,
  ssrfGuardNotice,
} from '../src/index.js';

/** appDispatcherOptions only passes the store on. */
const STORE = {} as WebhookStore;

function load(env: Record<string, string> = {}, argv: string[] = []) {
  return loadConfig({ env, argv, cwd: '/srv/app' }).config;
}

function failure(env: Record<string, string>, argv: string[] = []): ConfigurationError {
  try {
    load(env, argv);
  } catch (error) {
    expect(ConfigurationError.isInstance(error)).toBe(true);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('SSRF settings', () => {
  it('allow loopback by default, nothing else, and hand the engine that guard', () => {
    const config = load();
    expect(config.allowLoopback).toBe(true);
    expect(config.ssrfAllow).toEqual([]);
    const options = appDispatcherOptions(config, { store: STORE });
    expect(options.ssrfGuard).toEqual({ allowLoopback: true, allow: [] });
    expect(ssrfGuardNotice(config).message).toBe(
      'SSRF guard on; loopback allowed for local development (set HOOKS_ALLOW_LOOPBACK=false in production)',
    );
  });

  it('read HOOKS_ALLOW_LOOPBACK and --allow-loopback (the flag wins) and a comma list in HOOKS_SSRF_ALLOW', () => {
    const config = load({
      HOOKS_ALLOW_LOOPBACK: 'false',
      HOOKS_SSRF_ALLOW: ' 10.1.0.0/16 , hooks.internal,,fd00::/8 ',
    });
    expect(config.allowLoopback).toBe(false);
    expect(config.ssrfAllow).toEqual(['10.1.0.0/16', 'hooks.internal', 'fd00::/8']);
    expect(Object.isFrozen(config.ssrfAllow)).toBe(true);
    expect(appDispatcherOptions(config, { store: STORE }).ssrfGuard).toEqual({
      allowLoopback: false,
      allow: ['10.1.0.0/16', 'hooks.internal', 'fd00::/8'],
    });
    expect(ssrfGuardNotice(config)).toEqual({
      fields: { ssrfGuard: { allowLoopback: false, allow: ['10.1.0.0/16', 'hooks.internal', 'fd00::/8'] } },
      message: 'SSRF guard on; loopback refused; also allowed: 10.1.0.0/16, hooks.internal, fd00::/8',
    });
    expect(load({ HOOKS_ALLOW_LOOPBACK: 'false' }, ['--allow-loopback=on']).allowLoopback).toBe(true);
    expect(load({}, ['--allow-loopback', 'off', '--ssrf-allow=192.168.1.20']).ssrfAllow).toEqual([
      '192.168.1.20',
    ]);
  });

  it('refuse a bad value with one line naming the setting and the entry', () => {
    const entry = failure({ HOOKS_SSRF_ALLOW: '10.0.0.0/8,10.0.0.0/33' });
    expect(entry.message).toBe(
      'HOOKS_SSRF_ALLOW entry 2 "10.0.0.0/33" is not a CIDR (10.1.0.0/16), an IP or a host name',
    );
    expect(entry.details?.field).toBe('HOOKS_SSRF_ALLOW');
    expect(failure({}, ['--ssrf-allow=hooks internal']).message).toMatch(
      /^--ssrf-allow entry 1 "hooks internal"/,
    );
    expect(failure({ HOOKS_ALLOW_LOOPBACK: 'maybe' }).message).toBe(
      'HOOKS_ALLOW_LOOPBACK must be on or off (true/false, yes/no, 1/0), got "maybe"',
    );
  });

  it('are listed by --help', () => {
    const help = formatHelp('app', SHARED_SETTINGS);
    expect(help).toContain('--allow-loopback');
    expect(help).toContain('HOOKS_ALLOW_LOOPBACK');
    expect(help).toContain('HOOKS_SSRF_ALLOW');
  });
});
