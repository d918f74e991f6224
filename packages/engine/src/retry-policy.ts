import { ConfigurationError, InvalidInputError } from '@hooks/core';

/** Exponential backoff: `baseMs * 2^(n-1)` capped at `maxMs`, with optional jitter. */
export interface ExponentialRetryPolicy {
  /** Discriminant. */
  readonly kind: 'exponential';
  /** Delay after the first failed attempt (before jitter), in milliseconds. */
  readonly baseMs: number;
  /** Cap on any delay, in milliseconds. */
  readonly maxMs: number;
  /** `full`: uniform in [0, delay]; `decorrelated`: uniform in [base, 3 x previous delay]; `none`: exact. */
  readonly jitter: 'full' | 'decorrelated' | 'none';
}

/** An explicit schedule: `delaysMs[i]` is the wait before attempt i + 1 (so `delaysMs[0]` is the first attempt's, normally 0). */
export interface ScheduleRetryPolicy {
  /** Discriminant. */
  readonly kind: 'schedule';
  /** Waits in milliseconds; attempts past the end reuse the last entry. */
  readonly delaysMs: readonly number[];
}

/** How long to wait between attempts. */
export type RetryPolicy = ExponentialRetryPolicy | ScheduleRetryPolicy;

/** Svix's schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the engine's default). */
export const SVIX_SCHEDULE: ScheduleRetryPolicy = Object.freeze({
  kind: 'schedule',
  delaysMs: Object.freeze([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]),
});

/** Longest delay any policy may produce (30 days). */
const MAX_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

function checkDelay(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new ConfigurationError(`${field} must be a number of milliseconds from 0 to ${MAX_DELAY_MS}`, {
      details: { field },
    });
  }
  return Math.floor(value);
}

/** Checks a retry policy and returns a frozen copy; throws `ConfigurationError` naming the bad field. */
export function checkRetryPolicy(policy: unknown, field = 'retry'): RetryPolicy {
  if (typeof policy !== 'object' || policy === null) {
    throw new ConfigurationError(`${field} must be a retry policy object`, { details: { field } });
  }
  const input = policy as Record<string, unknown>;
  if (input.kind === 'schedule') {
    const delays = input.delaysMs;
    if (!Array.isArray(delays) || delays.length === 0) {
      throw new ConfigurationError(`${field}.delaysMs must be a non-empty array`, {
        details: { field: `${field}.delaysMs` },
      });
    }
    const delaysMs = delays.map((delay, index) => checkDelay(delay, `${field}.delaysMs[${index}]`));
    return Object.freeze({ kind: 'schedule', delaysMs: Object.freeze(delaysMs) });
  }
  if (input.kind === 'exponential') {
    const baseMs = checkDelay(input.baseMs, `${field}.baseMs`);
    const maxMs = checkDelay(input.maxMs, `${field}.maxMs`);
    if (baseMs < 1 || maxMs < baseMs) {
      throw new ConfigurationError(`${field} needs 1 <= baseMs <= maxMs`, { details: { field } });
    }
    const jitter = input.jitter ?? 'full';
    if (jitter !== 'full' && jitter !== 'decorrelated' && jitter !== 'none') {
      throw new ConfigurationError(`${field}.jitter must be "full", "decorrelated" or "none"`, {
        details: { field: `${field}.jitter` },
      });
    }
    return Object.freeze({ kind: 'exponential', baseMs, maxMs, jitter });
  }
  throw new ConfigurationError(`${field}.kind must be "exponential" or "schedule"`, {
    details: { field: `${field}.kind` },
  });
}

/** Inputs of `retryDelayMs` beyond the policy. */
export interface RetryDelayContext {
  /** Uniform random source in [0, 1); default `Math.random`. */
  random?: () => number;
  /** The previous delay (for decorrelated jitter); default `baseMs`. */
  previousDelayMs?: number;
}

/**
 * The wait after failed attempt number `attemptNumber` (1-based) before the next attempt, in milliseconds.
 *
 * @example
 * retryDelayMs(SVIX_SCHEDULE, 1); // 5000
 * retryDelayMs({ kind: 'exponential', baseMs: 1000, maxMs: 60_000, jitter: 'none' }, 3); // 4000
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attemptNumber: number,
  context: RetryDelayContext = {},
): number {
  const n = Math.max(1, Math.floor(attemptNumber));
  if (policy.kind === 'schedule') {
    const delays = policy.delaysMs;
    return delays[Math.min(n, delays.length - 1)]!;
  }
  const random = context.random ?? Math.random;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 52));
  if (policy.jitter === 'none') return exponential;
  if (policy.jitter === 'full') return Math.floor(random() * exponential);
  const previous = Math.max(policy.baseMs, context.previousDelayMs ?? policy.baseMs);
  const upper = Math.min(policy.maxMs, previous * 3);
  return Math.min(policy.maxMs, Math.floor(policy.baseMs + random() * Math.max(0, upper - policy.baseMs)));
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * Parses a duration such as `500ms`, `5s`, `5m`, `2h`, `1d` or `1h30m` (and a bare `0`) into milliseconds.
 * Throws `InvalidInputError` naming `field` for anything else (a bare number needs a unit).
 *
 * @example
 * parseDuration('5m'); // 300000
 */
export function parseDuration(text: string, field = 'duration'): number {
  const value = typeof text === 'string' ? text.trim() : '';
  if (value === '0') return 0;
  if (!DURATION.test(value)) {
    throw new InvalidInputError(
      `${field} ${JSON.stringify(text)} is not a duration: use a number with a unit (ms, s, m, h, d), e.g. 500ms, 5s, 5m, 2h, 1d`,
      { details: { field } },
    );
  }
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  const ms = Math.round(total);
  if (ms > MAX_DELAY_MS) {
    throw new InvalidInputError(`${field} ${JSON.stringify(text)} is longer than 30 days`, {
      details: { field },
    });
  }
  return ms;
}

/**
 * Parses a comma-separated schedule (`HOOKS_RETRY_SCHEDULE`) such as `0,5s,5m,30m` into a schedule policy.
 * Errors name the bad item by position and text.
 *
 * @example
 * parseSchedule('0,5s,5m,30m'); // { kind: 'schedule', delaysMs: [0, 5000, 300000, 1800000] }
 */
export function parseSchedule(text: string): ScheduleRetryPolicy {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidInputError('retry schedule is empty: give comma-separated durations, e.g. 0,5s,5m,30m', {
      details: { field: 'schedule' },
    });
  }
  const delaysMs = text.split(',').map((item, index) => {
    const field = `retry schedule item ${index + 1}`;
    if (item.trim() === '') {
      throw new InvalidInputError(`${field} is empty: give comma-separated durations, e.g. 0,5s,5m,30m`, {
        details: { field: `schedule[${index}]` },
      });
    }
    try {
      return parseDuration(item, field);
    } catch (error) {
      throw new InvalidInputError((error as Error).message, { details: { field: `schedule[${index}]` } });
    }
  });
  return Object.freeze({ kind: 'schedule', delaysMs: Object.freeze(delaysMs) });
}
