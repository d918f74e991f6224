import {
  type AttemptOutcome,
  ConfigurationError,
  DeliveryError,
  type OutcomeResult,
  payloadJsonOf,
  truncateUtf8,
  type WebhookEvent,
} from '@hooks/core';
import type { SignatureScheme } from '@hooks/signing';
import type { AbortHandle } from './abort-handle.js';
import type { ResolvedDispatcherOptions } from './dispatcher-options.js';
import type { HttpClient } from './http-client.js';
import { redact } from './logger.js';
import { parseRetryAfter, type RetryAfterBounds } from './retry-after.js';
import { type RetryPolicy, retryDelayMs } from './retry-policy.js';

/** The reason stored on a row whose receiver answered 410 Gone. */
export const GONE_REASON = 'receiver answered 410 Gone: endpoint removed';

/** What one attempt needs beyond the row: how to sign, send and judge it. */
export interface AttemptSettings {
  /** Signs each attempt afresh. */
  readonly scheme: SignatureScheme;
  /** Extra headers sent with every request (never overriding content-type or the signature headers). */
  readonly headers: Readonly<Record<string, string>>;
  /** The `user-agent` header value. */
  readonly userAgent: string;
  /** Sends the request. */
  readonly client: HttpClient;
  /** Delay between attempts. */
  readonly retry: RetryPolicy;
  /** Clamp window for `Retry-After`. */
  readonly retryAfter: RetryAfterBounds;
  /** Most response-body bytes stored on the row and attempt record. */
  readonly maxStoredBodyBytes: number;
  /** Strings to redact from stored texts (secret variants). */
  readonly secrets: readonly string[];
  /** The engine's notion of now. */
  readonly clock: () => Date;
  /** Random source for jitter. */
  readonly random: () => number;
}

/**
 * The attempt settings of a dispatcher, or undefined when it has nothing to sign with.
 *
 * @example
 * const settings = createAttemptSettings(resolveDispatcherOptions({ secret }), client);
 */
export function createAttemptSettings(
  options: ResolvedDispatcherOptions,
  client: HttpClient,
): AttemptSettings | undefined {
  if (options.scheme === undefined) return undefined;
  return Object.freeze({
    scheme: options.scheme,
    headers: options.headers,
    userAgent: options.userAgent,
    client,
    retry: options.retry,
    retryAfter: options.retryAfter,
    maxStoredBodyBytes: options.maxResponseBodyBytes,
    secrets: options.secrets,
    clock: options.clock,
    random: options.random,
  });
}

/** What one attempt did: the outcome to record (or `aborted` when shutdown cut it). */
export type AttemptResult =
  | {
      /** The attempt finished (any outcome). */
      readonly aborted: false;
      /** The outcome to report to the store. */
      readonly outcome: AttemptOutcome;
      /** The failure, as a `DeliveryError` with `retryable` (undefined when delivered). */
      readonly error: DeliveryError | undefined;
      /** Wall time of the attempt, in milliseconds. */
      readonly durationMs: number;
      /** True when the SSRF guard refused the target's address (terminal `failed`; not the receiver's fault). */
      readonly blocked: boolean;
    }
  | {
      /** The attempt was aborted (shutdown): record nothing, release the lease. */
      readonly aborted: true;
    };

function failureMessage(status: number): string {
  return status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
}

/** The headers stored on the attempt record: custom header values are masked (they may be credentials). */
function recordedHeaders(
  sent: Record<string, string>,
  custom: Readonly<Record<string, string>>,
): Record<string, string> {
  // Without custom headers nothing needs masking: the sent object itself (the store copies what it keeps).
  if (!hasKeys(custom)) return sent;
  const out: Record<string, string> = {};
  for (const name of Object.keys(sent)) out[name] = Object.hasOwn(custom, name) ? '[redacted]' : sent[name]!;
  return out;
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/** Builds the headers of one attempt: custom ones, then content-type and user-agent, then the signature. */
export function buildHeaders(
  row: Pick<WebhookEvent, 'id'>,
  body: string,
  timestamp: Date,
  settings: Pick<AttemptSettings, 'scheme' | 'headers' | 'userAgent'>,
): Record<string, string> {
  let signature: Record<string, string>;
  try {
    signature = settings.scheme.sign({ id: row.id, timestamp, body });
  } catch (error) {
    throw new ConfigurationError(`the signing scheme could not sign event ${row.id}`, {
      cause: error,
      details: { field: 'scheme' },
    });
  }
  return {
    ...settings.headers,
    'content-type': 'application/json',
    'user-agent': settings.headers['user-agent'] ?? settings.userAgent,
    ...signature,
  };
}

/**
 * Makes one attempt for a leased row: signs it (new timestamp, the row id as the event id), POSTs the stored
 * payload text (`payloadJsonOf(row)`, else `JSON.stringify(row.payload)`: every attempt sends the same bytes),
 * and classifies the answer into an outcome:
 * 2xx delivered; 410 skipped; refused by the SSRF guard: failed at once (not retried); any other status, a
 * timeout or a network error retried while attempts remain (honouring `Retry-After` on 429/503), else failed.
 * Throws `ConfigurationError` if signing fails.
 *
 * @example
 * const result = await runAttempt(row, 'worker-1', settings);
 * if (!result.aborted) await store.recordOutcome(result.outcome);
 */
export async function runAttempt(
  row: WebhookEvent,
  workerId: string,
  settings: AttemptSettings,
  abort?: AbortHandle,
): Promise<AttemptResult> {
  // The text the store keeps (attached to rows it returns) when it has one, so nothing is serialised again.
  const body = payloadJsonOf(row) ?? JSON.stringify(row.payload);
  if (row.targetUrl === null)
    throw new ConfigurationError('no target URL configured', { details: { field: 'targetUrl' } });
  const attemptNumber = row.attempts + 1;
  const startedAt = settings.clock();
  const headers = buildHeaders(row, body, startedAt, settings);
  const began = performance.now();
  const response = await settings.client.post(row.targetUrl, headers, body, abort);
  const durationMs = performance.now() - began;
  if (!response.ok && response.kind === 'aborted') return { aborted: true };
  const finishedAt = new Date(startedAt.getTime() + Math.round(durationMs));
  const status = response.ok ? response.status : null;
  const responseBody = response.ok
    ? redact(truncateUtf8(response.body, settings.maxStoredBodyBytes), settings.secrets)
    : null;

  let result: OutcomeResult;
  let error: DeliveryError | undefined;
  if (status !== null && status >= 200 && status < 300) {
    result = { kind: 'delivered' };
  } else if (status === 410) {
    error = new DeliveryError(GONE_REASON, { retryable: false, details: { status } });
    result = { kind: 'skipped', reason: GONE_REASON };
  } else if (!response.ok && response.kind === 'blocked') {
    // A blocked address is a configuration matter: retrying cannot help, so the row fails at once.
    error = new DeliveryError(redact(response.error, settings.secrets), {
      retryable: false,
      details: { status, reason: 'ssrf_blocked' },
    });
    result = { kind: 'failed' };
  } else {
    const message = response.ok ? failureMessage(response.status) : redact(response.error, settings.secrets);
    error = new DeliveryError(message, { retryable: true, details: { status } });
    if (attemptNumber >= row.maxAttempts) {
      result = { kind: 'failed' };
    } else {
      const previousDelayMs =
        row.nextRetryAt !== null && row.lastAttemptAt !== null
          ? row.nextRetryAt.getTime() - row.lastAttemptAt.getTime()
          : undefined;
      let delay = retryDelayMs(settings.retry, attemptNumber, { random: settings.random, previousDelayMs });
      if (response.ok && (status === 429 || status === 503)) {
        const retryAfter = parseRetryAfter(response.retryAfter, finishedAt.getTime(), settings.retryAfter);
        if (retryAfter !== undefined && retryAfter > delay) delay = retryAfter;
      }
      result = { kind: 'retry', nextRetryAt: new Date(settings.clock().getTime() + delay) };
    }
  }
  return {
    aborted: false,
    durationMs,
    blocked: !response.ok && response.kind === 'blocked',
    error,
    outcome: {
      eventId: row.id,
      workerId,
      attemptNumber,
      result,
      attempt: {
        startedAt,
        finishedAt,
        responseStatus: status,
        responseBody,
        error: error === undefined ? null : error.message,
        requestHeaders: recordedHeaders(headers, settings.headers),
      },
    },
  };
}
