import { checkSsrfGuard, type SsrfGuardOptions } from '@hooks/engine';
import { booleanValue, defineSetting, quoteValue, settingError } from './setting-spec.js';

/** Reads `HOOKS_SSRF_ALLOW`: comma-separated CIDRs, IPs and host names (blank entries are ignored). */
function ssrfAllowList(raw: string | undefined, name: string): readonly string[] {
  if (raw === undefined) return Object.freeze([]);
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    try {
      checkSsrfGuard({ allow: [entry] });
    } catch (error) {
      throw settingError(
        name,
        `entry ${index + 1} ${quoteValue(entry)} is not a CIDR (10.1.0.0/16), an IP or a host name`,
        error,
      );
    }
  });
  return Object.freeze(entries);
}

/** `HOOKS_ALLOW_LOOPBACK` / `--allow-loopback`: let webhooks reach 127.0.0.0/8 and ::1 (default on, for local development). */
export const ALLOW_LOOPBACK_SETTING = defineSetting<boolean>({
  env: 'HOOKS_ALLOW_LOOPBACK',
  flag: 'allow-loopback',
  description:
    'let webhooks reach loopback (127.0.0.1, ::1) past the SSRF guard; for local development, off in production',
  defaultText: 'on',
  parse: (raw, context) => booleanValue(raw, context, true),
});

/** `HOOKS_SSRF_ALLOW` / `--ssrf-allow`: what else the SSRF guard lets webhooks reach. */
export const SSRF_ALLOW_SETTING = defineSetting<readonly string[]>({
  env: 'HOOKS_SSRF_ALLOW',
  flag: 'ssrf-allow',
  description:
    'comma-separated CIDRs, IPs and host names the SSRF guard lets webhooks reach (10.1.0.0/16,hooks.internal)',
  defaultText: '(none)',
  parse: (raw, context) => ssrfAllowList(raw, context.name),
});

/** The two SSRF settings as they appear in a configuration. */
export interface SsrfSettings {
  /** Whether loopback targets are allowed. */
  readonly allowLoopback: boolean;
  /** Extra allowed CIDRs, IPs and host names. */
  readonly ssrfAllow: readonly string[];
}

/**
 * The engine's `ssrfGuard` option for the apps' settings.
 *
 * @example
 * createDispatcher({ ...options, ssrfGuard: appSsrfGuard(config) });
 */
export function appSsrfGuard(config: SsrfSettings): SsrfGuardOptions {
  return { allowLoopback: config.allowLoopback, allow: config.ssrfAllow };
}

/**
 * The one line each app logs at start about the SSRF guard, and the fields that go with it.
 *
 * @example
 * const { fields, message } = ssrfGuardNotice(config);
 * logger.info(fields, message);
 */
export function ssrfGuardNotice(config: SsrfSettings): {
  fields: { ssrfGuard: { allowLoopback: boolean; allow: readonly string[] } };
  message: string;
} {
  const message = config.allowLoopback
    ? 'SSRF guard on; loopback allowed for local development (set HOOKS_ALLOW_LOOPBACK=false in production)'
    : 'SSRF guard on; loopback refused';
  const allowed = config.ssrfAllow.length === 0 ? '' : `; also allowed: ${config.ssrfAllow.join(', ')}`;
  return {
    fields: { ssrfGuard: { allowLoopback: config.allowLoopback, allow: config.ssrfAllow } },
    message: `${message}${allowed}`,
  };
}
