import { type EndpointHealthOptions, parseDuration } from '@hooks/engine';
import {
  defineSetting,
  integerValue,
  quoteValue,
  type SettingContext,
  settingError,
} from './setting-spec.js';

/**
 * The apps' default for the count threshold: off. A count of failed attempts punishes busy targets: a
 * one-minute outage of a target that gets 50 events a second is 3000 failed attempts. Turn it on for
 * low-volume targets, where N failures in a row mean something.
 */
export const DEFAULT_DISABLE_AFTER_FAILURES: number | null = null;
/** The apps' default: disable a target that has been failing for 24 hours. */
export const DEFAULT_DISABLE_AFTER_MS = 24 * 3_600_000;
/** The longest `HOOKS_DISABLE_AFTER`: 365 days. */
const MAX_DISABLE_AFTER_MS = 365 * 24 * 3_600_000;

const OFF_WORDS = ['off', 'never', '0'];

/** Reads `HOOKS_DISABLE_AFTER_FAILURES`: a count from 1 to 1,000,000, or `off` (also `0`). */
function failuresValue(raw: string | undefined, context: SettingContext): number | null {
  if (raw === undefined) return DEFAULT_DISABLE_AFTER_FAILURES;
  if (OFF_WORDS.includes(raw.toLowerCase())) return null;
  return integerValue(raw, context, { min: 1, max: 1_000_000, fallback: 1 });
}

/** Reads `HOOKS_DISABLE_AFTER`: a duration such as `24h`, `90m` or `2d` (1 s to 365 d), or `off` (also `0`). */
function durationValue(raw: string | undefined, context: SettingContext): number | null {
  if (raw === undefined) return DEFAULT_DISABLE_AFTER_MS;
  if (OFF_WORDS.includes(raw.toLowerCase())) return null;
  let ms: number | undefined;
  try {
    ms = parseDuration(raw, context.name);
  } catch {
    ms = undefined;
  }
  if (ms === undefined || ms < 1000 || ms > MAX_DISABLE_AFTER_MS) {
    throw settingError(
      context.name,
      `must be a duration from 1s to 365d such as 24h, 90m or 2d, or off; got ${quoteValue(raw)}`,
    );
  }
  return ms;
}

/** `HOOKS_DISABLE_AFTER_FAILURES` / `--disable-after-failures`: consecutive failed attempts that disable a target. */
export const DISABLE_AFTER_FAILURES_SETTING = defineSetting<number | null>({
  env: 'HOOKS_DISABLE_AFTER_FAILURES',
  flag: 'disable-after-failures',
  description:
    'disable a webhook target after this many consecutive failed attempts (across all workers), or off',
  defaultText: 'off',
  parse: failuresValue,
});

/** `HOOKS_DISABLE_AFTER` / `--disable-after`: how long a target may fail continuously before it is disabled. */
export const DISABLE_AFTER_SETTING = defineSetting<number | null>({
  env: 'HOOKS_DISABLE_AFTER',
  flag: 'disable-after',
  description: 'disable a webhook target that has been failing continuously this long (24h, 90m), or off',
  defaultText: '24h',
  parse: durationValue,
});

/** The two endpoint health settings as they appear in a configuration. */
export interface EndpointHealthSettings {
  /** Consecutive failed attempts that disable a target, or null (off). */
  readonly disableAfterFailures: number | null;
  /** Length of a failure streak that disables a target, in milliseconds, or null (off). */
  readonly disableAfterMs: number | null;
}

/**
 * The engine's `endpointHealth` option for the apps' settings (410 Gone always disables a target).
 *
 * @example
 * createDispatcher({ ...options, endpointHealth: appEndpointHealth(config) });
 */
export function appEndpointHealth(config: EndpointHealthSettings): EndpointHealthOptions {
  return { disableAfterFailures: config.disableAfterFailures, disableAfterMs: config.disableAfterMs };
}
