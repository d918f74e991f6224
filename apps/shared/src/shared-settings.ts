import { STORE_LIMITS } from '@hooks/core';
import { parseSchedule, type ScheduleRetryPolicy, SVIX_SCHEDULE } from '@hooks/engine';
import { type DatabaseLocation, parseDatabaseUrl } from './database-location.js';
import { DISABLE_AFTER_FAILURES_SETTING, DISABLE_AFTER_SETTING } from './endpoint-health-settings.js';
import { parseSettings, type SettingsSource } from './parse-settings.js';
import {
  choiceValue,
  defineSetting,
  integerValue,
  quoteValue,
  type SettingsTable,
  type SettingValues,
  settingError,
} from './setting-spec.js';
import { ALLOW_LOOPBACK_SETTING, SSRF_ALLOW_SETTING } from './ssrf-settings.js';
import {
  createWebhookScheme,
  generateWebhookSecret,
  SIGNATURE_SCHEME_NAMES,
  type SignatureSchemeName,
} from './webhook-signing.js';

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A log level (`HOOKS_LOG_LEVEL`). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How `enqueue` delivers: inline (`sync`) or through the in-process queue (`async`). */
export type DeliveryMode = 'sync' | 'async';

/** A retry schedule as configured: the policy and the text it came from. */
export interface RetrySchedule {
  /** The engine's schedule policy. */
  readonly policy: ScheduleRetryPolicy;
  /** The schedule as text, e.g. `0,5s,5m,30m`. */
  readonly text: string;
}

function formatDelay(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms === 0 ? '0' : `${ms}ms`;
}

/** The Svix-like default schedule: `0,5s,5m,30m,2h,5h,10h,10h`. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = Object.freeze({
  policy: SVIX_SCHEDULE,
  text: SVIX_SCHEDULE.delaysMs.map(formatDelay).join(','),
});

function webhookUrl(raw: string | undefined, name: string): string | null {
  if (raw === undefined) return null;
  const protocol = URL.canParse(raw) ? new URL(raw).protocol : '';
  if (protocol !== 'http:' && protocol !== 'https:') {
    // The URL is not echoed: it may carry a token.
    throw settingError(name, 'must be an absolute http:// or https:// URL');
  }
  return raw;
}

/** The settings both apps read (see the README's configuration table). */
export const SHARED_SETTINGS = {
  database: defineSetting<DatabaseLocation>({
    env: 'HOOKS_DATABASE_URL',
    flag: 'database-url',
    description: 'sqlite:<path>, a file path, or postgres://user:password@host/db[?schema=name]',
    defaultText: 'sqlite:./.data/hooks.sqlite',
    secret: true,
    parse: parseDatabaseUrl,
  }),
  webhookUrl: defineSetting<string | null>({
    env: 'HOOKS_WEBHOOK_URL',
    flag: 'webhook-url',
    description: 'where webhooks are sent; without it events are recorded as skipped',
    defaultText: '(none)',
    secret: true,
    parse: (raw, context) => webhookUrl(raw, context.name),
  }),
  webhookSecret: defineSetting<string | undefined>({
    env: 'HOOKS_WEBHOOK_SECRET',
    flag: 'webhook-secret',
    description: 'signing secret; without it one is generated and printed once at start',
    defaultText: '(generated)',
    secret: true,
    parse: (raw) => raw,
  }),
  deliveryMode: defineSetting<DeliveryMode>({
    env: 'HOOKS_DELIVERY_MODE',
    flag: 'delivery-mode',
    description: 'sync: deliver inside the request that emits the event; async: through the queue',
    defaultText: 'async',
    parse: (raw, context) => choiceValue(raw, context, ['sync', 'async'] as const, 'async'),
  }),
  maxAttempts: defineSetting<number>({
    env: 'HOOKS_MAX_ATTEMPTS',
    flag: 'max-attempts',
    description: `attempts per event before it is failed (1 to ${STORE_LIMITS.maxAttempts})`,
    defaultText: '8',
    parse: (raw, context) =>
      integerValue(raw, context, { min: 1, max: STORE_LIMITS.maxAttempts, fallback: 8 }),
  }),
  retrySchedule: defineSetting<RetrySchedule>({
    env: 'HOOKS_RETRY_SCHEDULE',
    flag: 'retry-schedule',
    description: 'waits before each attempt, comma-separated (ms, s, m, h, d)',
    defaultText: DEFAULT_RETRY_SCHEDULE.text,
    parse: (raw, context) => {
      if (raw === undefined) return DEFAULT_RETRY_SCHEDULE;
      try {
        return Object.freeze({ policy: parseSchedule(raw), text: raw });
      } catch (error) {
        throw settingError(
          context.name,
          `must be comma-separated durations such as 0,5s,5m,30m (units ms, s, m, h, d; at most 30 days each), got ${quoteValue(raw)}`,
          error,
        );
      }
    },
  }),
  signatureScheme: defineSetting<SignatureSchemeName>({
    env: 'HOOKS_SIGNATURE_SCHEME',
    flag: 'signature-scheme',
    description: 'campaignflow (X-Webhook-Signature: t=,v1=), standard-webhooks or github',
    defaultText: 'campaignflow',
    parse: (raw, context) => choiceValue(raw, context, SIGNATURE_SCHEME_NAMES, 'campaignflow'),
  }),
  logLevel: defineSetting<LogLevel>({
    env: 'HOOKS_LOG_LEVEL',
    flag: 'log-level',
    description: LOG_LEVELS.join(', '),
    defaultText: 'info',
    parse: (raw, context) => choiceValue(raw, context, LOG_LEVELS, 'info'),
  }),
  allowLoopback: ALLOW_LOOPBACK_SETTING,
  ssrfAllow: SSRF_ALLOW_SETTING,
  disableAfterFailures: DISABLE_AFTER_FAILURES_SETTING,
  disableAfterMs: DISABLE_AFTER_SETTING,
} satisfies SettingsTable;

/** The configuration both apps share, checked and complete (a secret is generated when none was given). */
export interface SharedConfig extends Omit<SettingValues<typeof SHARED_SETTINGS>, 'webhookSecret'> {
  /** The signing secret (given or generated). Never log it. */
  webhookSecret: string;
  /** True when the secret was generated because none was given: print it once at start. */
  webhookSecretGenerated: boolean;
}

/** A shared configuration plus an app's own settings. */
export type AppConfig<S extends SettingsTable> = SharedConfig & SettingValues<S>;

/** What `loadConfig` returns: the configuration, and whether `--help` was asked for. */
export interface LoadedConfig<S extends SettingsTable> {
  /** The checked configuration. */
  config: AppConfig<S>;
  /** True when `--help` (or `-h`) was given. */
  help: boolean;
}

function secretSettingName(source: SettingsSource): string {
  const given = (source.argv ?? process.argv.slice(2)).some((arg) => /^--webhook-secret(=|$)/.test(arg));
  return given ? '--webhook-secret' : 'HOOKS_WEBHOOK_SECRET';
}

/**
 * Refuses a secret that was given but blank (`HOOKS_WEBHOOK_SECRET=` from an unset variable, or
 * `--webhook-secret=`): generating one instead would sign with a secret no receiver has.
 */
function refuseBlankSecret(source: SettingsSource): void {
  const name = secretSettingName(source);
  const raw = (source.env ?? process.env).HOOKS_WEBHOOK_SECRET;
  if (name === '--webhook-secret' || (raw !== undefined && raw.trim() === '')) {
    throw settingError(name, "is empty: give the receivers' secret, or leave it unset to have one generated");
  }
}

/**
 * Reads the shared settings and an app's own (`extra`) from flags and the environment, checks them, and
 * generates a secret when none was given. Throws `ConfigurationError` with one line naming the bad
 * setting and never echoing a secret, a password or the webhook URL.
 *
 * @example
 * const { config, help } = loadConfig({ argv: process.argv.slice(2), env: process.env, extra: MOCK_SERVER_SETTINGS });
 */
export function loadConfig<S extends SettingsTable = Record<never, never>>(
  options: SettingsSource & { extra?: S } = {},
): LoadedConfig<S> {
  const { extra, ...source } = options;
  const table = { ...SHARED_SETTINGS, ...(extra ?? {}) };
  const { values, help } = parseSettings(table, source);
  const shared = values as unknown as SettingValues<typeof SHARED_SETTINGS>;
  const given = shared.webhookSecret;
  if (given === undefined) refuseBlankSecret(source);
  const webhookSecret = given ?? generateWebhookSecret(shared.signatureScheme);
  try {
    createWebhookScheme(shared.signatureScheme, webhookSecret);
  } catch (error) {
    const expected =
      shared.signatureScheme === 'standard-webhooks'
        ? 'a Standard Webhooks secret (whsec_ followed by base64 of 24 to 64 random bytes)'
        : 'a non-empty secret';
    throw settingError(
      secretSettingName(source),
      `is not usable with the ${shared.signatureScheme} scheme: expected ${expected}`,
      error,
    );
  }
  const config = { ...values, webhookSecret, webhookSecretGenerated: given === undefined } as AppConfig<S>;
  return { config: Object.freeze(config) as AppConfig<S>, help };
}
