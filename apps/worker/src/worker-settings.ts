import {
  defineSetting,
  integerValue,
  quoteValue,
  type SettingContext,
  type SettingSpec,
  type SettingsTable,
  settingError,
} from '@hooks/app-shared';
import { STORE_LIMITS } from '@hooks/core';
import { parseDuration } from '@hooks/engine';

/** Options of `durationValue`. */
interface DurationRange {
  /** Shortest accepted duration, in milliseconds. */
  readonly min: number;
  /** Longest accepted duration, in milliseconds. */
  readonly max: number;
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Reads a duration such as `500ms`, `10s` or `2m` (undefined when absent) within a range. */
export function durationValue(
  raw: string | undefined,
  context: SettingContext,
  range: DurationRange,
): number | undefined {
  if (raw === undefined) return undefined;
  let ms: number | undefined;
  try {
    ms = parseDuration(raw, context.name);
  } catch {
    ms = undefined;
  }
  if (ms === undefined || ms < range.min || ms > range.max) {
    throw settingError(
      context.name,
      `must be a duration from ${formatMs(range.min)} to ${formatMs(range.max)} such as 500ms, 10s or 2m, got ${quoteValue(raw)}`,
    );
  }
  return ms;
}

/** A duration setting with a default (shown in `--help` as `10s`, `1m`, ...). */
function durationSetting(spec: {
  env: string;
  flag: string;
  description: string;
  fallbackMs: number;
  range: DurationRange;
}): SettingSpec<number> {
  return defineSetting<number>({
    env: spec.env,
    flag: spec.flag,
    description: spec.description,
    defaultText: formatMs(spec.fallbackMs),
    parse: (raw, context) => durationValue(raw, context, spec.range) ?? spec.fallbackMs,
  });
}

/** The default lease: one minute. */
export const DEFAULT_LEASE_MS = 60_000;
/** The default longest wait for one HTTP attempt (shortened to half the lease when the lease is short). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** The settings of `hooks-worker run`, on top of the shared ones (see the README's table). */
export const WORKER_SETTINGS = {
  concurrency: defineSetting<number>({
    env: 'HOOKS_WORKER_CONCURRENCY',
    flag: 'concurrency',
    description: 'HTTP attempts in flight at once in this process (1 to 10000)',
    defaultText: '32',
    parse: (raw, context) => integerValue(raw, context, { min: 1, max: 10_000, fallback: 32 }),
  }),
  batchSize: defineSetting<number>({
    env: 'HOOKS_WORKER_BATCH_SIZE',
    flag: 'batch-size',
    description: `most rows leased per claim (1 to ${STORE_LIMITS.maxPageSize})`,
    defaultText: '100',
    parse: (raw, context) =>
      integerValue(raw, context, { min: 1, max: STORE_LIMITS.maxPageSize, fallback: 100 }),
  }),
  leaseMs: durationSetting({
    env: 'HOOKS_WORKER_LEASE',
    flag: 'lease',
    description: "how long a claimed row stays leased; a dead worker's rows come back after it",
    fallbackMs: DEFAULT_LEASE_MS,
    range: { min: 100, max: STORE_LIMITS.maxLeaseMs },
  }),
  pollIntervalMs: durationSetting({
    env: 'HOOKS_WORKER_POLL_INTERVAL',
    flag: 'poll-interval',
    description: 'fallback poll when no wake-up (LISTEN/NOTIFY) arrives',
    fallbackMs: 1000,
    range: { min: 10, max: 3_600_000 },
  }),
  requestTimeoutMs: defineSetting<number | undefined>({
    env: 'HOOKS_WORKER_REQUEST_TIMEOUT',
    flag: 'request-timeout',
    description: 'longest HTTP attempt; must be shorter than the lease',
    defaultText: `${formatMs(DEFAULT_REQUEST_TIMEOUT_MS)} (half the lease if shorter)`,
    parse: (raw, context) => durationValue(raw, context, { min: 1, max: 3_600_000 }),
  }),
  shutdownTimeoutMs: durationSetting({
    env: 'HOOKS_WORKER_SHUTDOWN_TIMEOUT',
    flag: 'shutdown-timeout',
    description: 'on SIGTERM/SIGINT, how long in-flight attempts may finish before they are cut and released',
    fallbackMs: 10_000,
    range: { min: 0, max: 3_600_000 },
  }),
  metricsPort: defineSetting<number | undefined>({
    env: 'HOOKS_WORKER_METRICS_PORT',
    flag: 'metrics-port',
    description: 'serve /healthz, /readyz and /metrics on this port (0 picks a free one)',
    defaultText: '(off)',
    parse: (raw, context) =>
      raw === undefined ? undefined : integerValue(raw, context, { min: 0, max: 65_535, fallback: 0 }),
  }),
  metricsHost: defineSetting<string>({
    env: 'HOOKS_WORKER_METRICS_HOST',
    flag: 'metrics-host',
    description: 'address the metrics server listens on (0.0.0.0 for probes from outside)',
    defaultText: '127.0.0.1',
    parse: (raw) => raw ?? '127.0.0.1',
  }),
  workerId: defineSetting<string | undefined>({
    env: 'HOOKS_WORKER_ID',
    flag: 'worker-id',
    description: "this process's lease owner id (unique per process)",
    defaultText: '<hostname>-<pid>-<random>',
    parse: (raw, context) => {
      if (raw !== undefined && raw.length > 200)
        throw settingError(context.name, 'must be at most 200 characters');
      return raw;
    },
  }),
} satisfies SettingsTable;

/** How a setting was spelled on this command line (`--flag`) or else its environment variable. */
export function spelledSetting(argv: readonly string[], spec: { flag: string; env: string }): string {
  const flag = `--${spec.flag}`;
  return argv.some((arg) => arg === flag || arg.startsWith(`${flag}=`)) ? flag : spec.env;
}

/**
 * The request timeout for a lease: the given one (which must be shorter than the lease), else 15 s, or
 * half the lease when that is shorter. Throws a one-line `ConfigurationError` naming the setting.
 */
export function resolveRequestTimeout(
  leaseMs: number,
  requestTimeoutMs: number | undefined,
  argv: readonly string[],
): number {
  if (requestTimeoutMs === undefined)
    return Math.max(1, Math.min(DEFAULT_REQUEST_TIMEOUT_MS, Math.floor(leaseMs / 2)));
  if (requestTimeoutMs >= leaseMs) {
    throw settingError(
      spelledSetting(argv, WORKER_SETTINGS.requestTimeoutMs),
      `must be shorter than the lease (${formatMs(leaseMs)}): a lease must outlive the attempt it covers`,
    );
  }
  return requestTimeoutMs;
}
