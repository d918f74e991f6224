import {
  attachPayloadJson,
  ConfigurationError,
  InvalidInputError,
  type NewWebhookEvent,
  STORE_LIMITS,
  toStrictJson,
  utf8Length,
} from '@hooks/core';
import { checkTargetUrl } from './option-checks.js';
import { parseDuration } from './retry-policy.js';

/** Per-event options of `enqueue`. */
export interface EnqueueOptions {
  /** The same key returns the first event instead of creating (and delivering) a second one. */
  idempotencyKey?: string;
  /** Attempts for this event (1 to 100), overriding the dispatcher's `maxAttempts`. */
  maxAttempts?: number;
  /** Send this event to another URL than the dispatcher's `targetUrl`. */
  targetUrl?: string;
  /** Wait before the first attempt: milliseconds or a duration such as `'5m'` (the scheduler delivers it). */
  delay?: number | string;
}

/** One item of `enqueueMany`. */
export interface EnqueueItem {
  /** The event type. */
  eventType: string;
  /** The JSON payload. */
  payload: unknown;
  /** Per-event options. */
  options?: EnqueueOptions;
}

/** What the dispatcher knows when it prepares an insert. */
export interface EnqueueDefaults {
  /** The dispatcher's target (null: events are stored skipped). */
  readonly targetUrl: string | null;
  /** Default attempts per event. */
  readonly maxAttempts: number;
  /** Largest payload accepted. */
  readonly maxPayloadBytes: number;
  /** Whether a scheme or secret is configured. */
  readonly canSign: boolean;
  /** Worker the new row is leased to; null leaves it unleased for any scheduler (deferred mode). */
  readonly workerId: string | null;
  /** Length of that lease. */
  readonly leaseMs: number;
  /** Now, for `delay`. */
  readonly nowMs: number;
}

/** An insert ready for the store. */
export interface PreparedEnqueue {
  /** What to insert. */
  readonly event: NewWebhookEvent;
}

/** The reason stored on events inserted while no target URL is configured. */
export const NO_TARGET_REASON = 'no target URL configured';

function invalid(field: string, message: string): InvalidInputError {
  return new InvalidInputError(`${field} ${message}`, { details: { field } });
}

function checkDelay(delay: unknown, field: string): number {
  if (typeof delay === 'string') return parseDuration(delay, field);
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
    throw invalid(field, 'must be a non-negative number of milliseconds or a duration such as "5m"');
  }
  return Math.floor(delay);
}

/**
 * Checks `enqueue` arguments (prefixing field names with `prefix`) and builds the insert: leased to this
 * worker unless delayed, `skipped` when no target is configured. Throws `InvalidInputError` (nothing is
 * stored), or `ConfigurationError` when a target is given but nothing can sign.
 *
 * @example
 * const { event } = prepareEnqueue('order.paid', { id: 1 }, {}, defaults);
 */
export function prepareEnqueue(
  eventType: unknown,
  payload: unknown,
  options: EnqueueOptions | undefined,
  defaults: EnqueueDefaults,
  prefix = '',
): PreparedEnqueue {
  if (typeof eventType !== 'string' || eventType.trim() === '') {
    throw invalid(`${prefix}eventType`, 'must be a non-empty string');
  }
  if (eventType.length > STORE_LIMITS.maxEventTypeLength) {
    throw invalid(`${prefix}eventType`, `must be at most ${STORE_LIMITS.maxEventTypeLength} characters`);
  }
  // Serialised once, strictly (no functions, NaN, ...: InvalidInputError naming the field): the text is attached
  // to the insert, so the store keeps it without walking the payload again, and it is the body of every attempt.
  const body = toStrictJson(payload, `${prefix}payload`);
  const size = utf8Length(body);
  if (size > defaults.maxPayloadBytes) {
    throw invalid(`${prefix}payload`, `is ${size} bytes, over the ${defaults.maxPayloadBytes}-byte limit`);
  }
  const opts = options ?? {};
  if (typeof opts !== 'object' || opts === null) throw invalid(`${prefix}options`, 'must be an object');
  const event: NewWebhookEvent = attachPayloadJson(
    { eventType, payload, maxAttempts: defaults.maxAttempts },
    body,
  );
  if (opts.idempotencyKey !== undefined) {
    const key = opts.idempotencyKey;
    if (typeof key !== 'string' || key.trim() === '' || key.length > STORE_LIMITS.maxIdempotencyKeyLength) {
      throw invalid(
        `${prefix}idempotencyKey`,
        `must be a non-empty string of at most ${STORE_LIMITS.maxIdempotencyKeyLength} characters`,
      );
    }
    event.idempotencyKey = key;
  }
  if (opts.maxAttempts !== undefined) {
    const max = opts.maxAttempts;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > STORE_LIMITS.maxAttempts) {
      throw invalid(`${prefix}maxAttempts`, `must be an integer from 1 to ${STORE_LIMITS.maxAttempts}`);
    }
    event.maxAttempts = max;
  }
  let targetUrl = defaults.targetUrl;
  if (opts.targetUrl !== undefined) {
    try {
      targetUrl = checkTargetUrl(opts.targetUrl, `${prefix}targetUrl`);
    } catch (error) {
      throw new InvalidInputError((error as Error).message, { details: { field: `${prefix}targetUrl` } });
    }
  }
  const delayMs = opts.delay === undefined ? 0 : checkDelay(opts.delay, `${prefix}delay`);
  if (targetUrl === null) {
    event.skip = { reason: NO_TARGET_REASON };
    return { event };
  }
  if (!defaults.canSign) {
    throw new ConfigurationError('secret (or scheme) is required to deliver to a target URL', {
      details: { field: 'secret' },
    });
  }
  event.targetUrl = targetUrl;
  if (delayMs > 0) event.nextRetryAt = new Date(defaults.nowMs + delayMs);
  else if (defaults.workerId !== null)
    event.lease = { workerId: defaults.workerId, leaseMs: defaults.leaseMs };
  return { event };
}
