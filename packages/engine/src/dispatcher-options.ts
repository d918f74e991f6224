import {
  checkWorkerId,
  DEFAULT_MAX_ATTEMPTS,
  STORE_LIMITS,
  type WebhookEvent,
  type WebhookStore,
} from '@hooks/core';
import type { SignatureScheme } from '@hooks/signing';
import { createMemoryStore } from '@hooks/store-memory';
import type { Dispatcher } from 'undici';
import { QUEUE_POLICIES, type QueuePolicy } from './bounded-queue.js';
import {
  type EndpointHealthOptions,
  type ResolvedEndpointHealthOptions,
  resolveEndpointHealthOptions,
} from './endpoint-health-options.js';
import type { Timeouts } from './http-client.js';
import { createRedactingLogger, type Logger, silentLogger } from './logger.js';
import { checkTargetUrl, fail, functionOption, intOption, objectOption } from './option-checks.js';
import { resolveHeaders, resolveScheme, USER_AGENT } from './request-signing.js';
import { DEFAULT_RETRY_AFTER_BOUNDS, type RetryAfterBounds } from './retry-after.js';
import { checkRetryPolicy, type RetryPolicy, SVIX_SCHEDULE } from './retry-policy.js';
import { resolveSsrfGuard, type SsrfGuardOptions, type SsrfPolicy } from './ssrf-guard.js';
import { createWorkerId } from './worker-id.js';

/** What happens to a hand-off the queue drops: see the README's "Delivery semantics". */
export type DropHandling = 'auto' | 'defer' | 'skip';

/** How `enqueue` hands a stored event to delivery: inline, through the in-process queue, or to the schedulers. */
export type DeliveryMode = 'sync' | 'async' | 'deferred';

/** Options of the in-process hand-off queue. */
export interface QueueOptions {
  /** Most hand-offs waiting (default 1000). */
  capacity?: number;
  /** `drop_oldest` (default), `drop_new` or `block`. */
  policy?: QueuePolicy;
  /** How long `block` waits for room, in milliseconds (default 5000). */
  blockTimeoutMs?: number;
  /** `defer` releases the row's lease for a scheduler; `skip` records it `skipped`; `auto` (default) defers with a durable store or a running scheduler, else skips. */
  onDrop?: DropHandling;
}

/** Options of the scheduler that delivers due rows (retries, deferred hand-offs, other processes' rows). */
export interface SchedulerOptions {
  /** Most rows claimed per claim (default 100). */
  batchSize?: number;
  /** Fallback poll interval when no wake-up arrives, in milliseconds (default 1000). */
  pollIntervalMs?: number;
  /** Longest wait between claims while the store is unavailable, in milliseconds (default 30000). */
  maxBackoffMs?: number;
  /** Outcomes written per `recordOutcomes` call (default 100). */
  outcomeBatchSize?: number;
  /** Longest wait before a partial outcome batch is written, in milliseconds (default 5). */
  outcomeFlushMs?: number;
}

/** Options of `createDispatcher`. Every field is optional; see the README's options table. */
export interface DispatcherOptions {
  /** Where events live (default: a new `@hooks/store-memory` store, closed by `close()`). */
  store?: WebhookStore;
  /** The receiver; null or absent means events are stored `skipped` ("no target URL configured"). */
  targetUrl?: string | null;
  /** A `@hooks/signing` scheme; overrides `secret`. */
  scheme?: SignatureScheme;
  /** A Standard Webhooks secret (`whsec_<base64>`), used when `scheme` is absent. */
  secret?: string;
  /** Extra request headers (may not set content-type, content-length, host or the signature headers). */
  headers?: Record<string, string>;
  /**
   * `async` (default): deliver through the in-process queue; `sync`: deliver inside `enqueue`; `deferred`: only
   * store the row (not leased) for any scheduler to deliver, this process's or another's (separate workers).
   */
  deliveryMode?: DeliveryMode;
  /** Retry policy (default `SVIX_SCHEDULE`). */
  retry?: RetryPolicy;
  /** Attempts per event (default 8; `enqueue` may override). */
  maxAttempts?: number;
  /** The in-process hand-off queue. */
  queue?: QueueOptions;
  /** Attempts in flight at once in this process (default 32). */
  concurrency?: number;
  /** Connections and in-flight attempts per receiver origin (default 64). */
  perOriginConcurrency?: number;
  /** Request timeouts (defaults 5000 / 15000 ms). */
  timeouts?: Partial<Timeouts>;
  /** Largest payload accepted, in bytes of JSON (default 256 KiB). */
  maxPayloadBytes?: number;
  /** Response-body bytes stored per attempt (default 4096). */
  maxResponseBodyBytes?: number;
  /** Response-body bytes read before the stream is destroyed (default 65536). */
  maxResponseReadBytes?: number;
  /** Clamp window for `Retry-After` on 429/503 (default 1 s to 1 h). */
  retryAfter?: Partial<RetryAfterBounds>;
  /** pino-compatible logger (default silent). Everything logged is redacted of the secret. */
  logger?: Logger;
  /** This process's worker id for leases (default `<hostname>-<pid>-<random>`). */
  workerId?: string;
  /** Lease length, in milliseconds (default max(60 s, 2 x timeouts.totalMs)). */
  leaseMs?: number;
  /** Scheduler tuning. */
  scheduler?: SchedulerOptions;
  /** The engine's notion of now (default `() => new Date()`). */
  clock?: () => Date;
  /** Random source in [0, 1) for jitter (default `Math.random`). */
  random?: () => number;
  /**
   * An undici dispatcher to send through instead of the engine's own Agent (e.g. a proxy); not closed. It gets
   * handlers in undici's raw interface (`onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`), which every
   * undici dispatcher accepts; a hand-written dispatcher must call those.
   */
  httpDispatcher?: Dispatcher;
  /** Called when this dispatcher settles an event (delivered, failed or skipped). Must not throw. */
  onSettled?: (event: WebhookEvent) => void;
  /** Endpoint health: auto-disable thresholds (off by default; 410 Gone always disables) and refresh interval. */
  endpointHealth?: EndpointHealthOptions;
  /**
   * The SSRF guard (on by default): deliveries to loopback, private, link-local and other non-global addresses
   * are refused unless allowed here. `false` turns it off (unsafe: see the README's "SSRF guard").
   */
  ssrfGuard?: false | SsrfGuardOptions;
}

/** Options after validation and defaults; frozen. */
export interface ResolvedDispatcherOptions {
  /** The store events live in. */
  readonly store: WebhookStore;
  /** True when the dispatcher created the store (and so closes it). */
  readonly ownsStore: boolean;
  /** The receiver, or null (events stored `skipped`). */
  readonly targetUrl: string | null;
  /** How attempts are signed (undefined when nothing can sign). */
  readonly scheme: SignatureScheme | undefined;
  /** Secret variants redacted from logs and stored texts. */
  readonly secrets: readonly string[];
  /** Extra request headers (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** Inline or queued delivery. */
  readonly deliveryMode: DeliveryMode;
  /** Delay between attempts. */
  readonly retry: RetryPolicy;
  /** Default attempts per event. */
  readonly maxAttempts: number;
  /** The hand-off queue settings. */
  readonly queue: Readonly<Required<QueueOptions>>;
  /** Attempts in flight in this process. */
  readonly concurrency: number;
  /** Connections and attempts per receiver origin. */
  readonly perOriginConcurrency: number;
  /** Connect and total request timeouts. */
  readonly timeouts: Timeouts;
  /** Largest payload accepted. */
  readonly maxPayloadBytes: number;
  /** Response bytes stored per attempt. */
  readonly maxResponseBodyBytes: number;
  /** Response bytes read before the stream is destroyed. */
  readonly maxResponseReadBytes: number;
  /** Clamp window for `Retry-After`. */
  readonly retryAfter: RetryAfterBounds;
  /** The redacting logger (silent by default). */
  readonly logger: Logger;
  /** Lease owner id of this process. */
  readonly workerId: string;
  /** Lease length for claimed and inserted rows. */
  readonly leaseMs: number;
  /** Scheduler tuning. */
  readonly scheduler: Readonly<Required<SchedulerOptions>>;
  /** The engine's notion of now. */
  readonly clock: () => Date;
  /** `clock()` in epoch milliseconds (`Date.now` with the default clock: no Date made). */
  readonly nowMs: () => number;
  /** Random source for jitter. */
  readonly random: () => number;
  /** A caller's undici dispatcher, if any. */
  readonly httpDispatcher: Dispatcher | undefined;
  /** Told about every event this dispatcher settles. */
  readonly onSettled: ((event: WebhookEvent) => void) | undefined;
  /** The `user-agent` header value. */
  readonly userAgent: string;
  /** Endpoint health thresholds and refresh interval. */
  readonly endpointHealth: ResolvedEndpointHealthOptions;
  /** The SSRF policy, or undefined when the guard is off. */
  readonly ssrfGuard: SsrfPolicy | undefined;
}

function resolveLogger(logger: Logger | undefined, secrets: readonly string[]): Logger {
  if (logger === undefined) return silentLogger;
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof logger?.[level] !== 'function') fail('logger', `must have a ${level}(obj, msg) function`);
  }
  return createRedactingLogger(logger, secrets);
}

/**
 * Validates `createDispatcher` options, applies defaults and freezes the result. Throws
 * `ConfigurationError` naming the bad option (never echoing a secret or a URL).
 *
 * @example
 * const resolved = resolveDispatcherOptions({ targetUrl: 'https://example.test/hook', secret: 'whsec_...' });
 */
export function resolveDispatcherOptions(input: DispatcherOptions = {}): ResolvedDispatcherOptions {
  const options = objectOption(input, 'options') as DispatcherOptions;
  let targetUrl: string | null = null;
  if (options.targetUrl !== undefined && options.targetUrl !== null)
    targetUrl = checkTargetUrl(options.targetUrl);
  const { scheme, secrets } = resolveScheme(options);
  if (targetUrl !== null && scheme === undefined)
    fail('secret', 'is required (or a scheme) when targetUrl is set');
  const deliveryMode = options.deliveryMode ?? 'async';
  if (deliveryMode !== 'sync' && deliveryMode !== 'async' && deliveryMode !== 'deferred') {
    fail('deliveryMode', 'must be "sync", "async" or "deferred"');
  }

  const queueInput = objectOption(options.queue, 'queue');
  const policy = queueInput.policy ?? 'drop_oldest';
  if (!QUEUE_POLICIES.includes(policy)) fail('queue.policy', `must be one of ${QUEUE_POLICIES.join(', ')}`);
  const onDrop = queueInput.onDrop ?? 'auto';
  if (onDrop !== 'auto' && onDrop !== 'defer' && onDrop !== 'skip')
    fail('queue.onDrop', 'must be auto, defer or skip');
  const queue = Object.freeze({
    capacity: intOption(queueInput.capacity, 'queue.capacity', 1000, 1, 10_000_000),
    policy,
    blockTimeoutMs: intOption(queueInput.blockTimeoutMs, 'queue.blockTimeoutMs', 5000, 0, 3_600_000),
    onDrop,
  });

  const timeoutInput = objectOption(options.timeouts, 'timeouts');
  const timeouts = Object.freeze({
    connectMs: intOption(timeoutInput.connectMs, 'timeouts.connectMs', 5000, 1, 600_000),
    totalMs: intOption(timeoutInput.totalMs, 'timeouts.totalMs', 15_000, 1, 3_600_000),
  });
  const leaseMs = intOption(
    options.leaseMs,
    'leaseMs',
    Math.max(60_000, 2 * timeouts.totalMs),
    1,
    STORE_LIMITS.maxLeaseMs,
  );
  if (leaseMs <= timeouts.totalMs) fail('leaseMs', 'must be longer than timeouts.totalMs');

  const retryAfterInput = objectOption(options.retryAfter, 'retryAfter');
  const retryAfter = Object.freeze({
    minMs: intOption(
      retryAfterInput.minMs,
      'retryAfter.minMs',
      DEFAULT_RETRY_AFTER_BOUNDS.minMs,
      0,
      86_400_000,
    ),
    maxMs: intOption(
      retryAfterInput.maxMs,
      'retryAfter.maxMs',
      DEFAULT_RETRY_AFTER_BOUNDS.maxMs,
      0,
      86_400_000,
    ),
  });
  if (retryAfter.maxMs < retryAfter.minMs) fail('retryAfter.maxMs', 'must be at least retryAfter.minMs');

  const schedulerInput = objectOption(options.scheduler, 'scheduler');
  const scheduler = Object.freeze({
    batchSize: intOption(schedulerInput.batchSize, 'scheduler.batchSize', 100, 1, STORE_LIMITS.maxPageSize),
    pollIntervalMs: intOption(schedulerInput.pollIntervalMs, 'scheduler.pollIntervalMs', 1000, 1, 3_600_000),
    maxBackoffMs: intOption(schedulerInput.maxBackoffMs, 'scheduler.maxBackoffMs', 30_000, 1, 3_600_000),
    outcomeBatchSize: intOption(
      schedulerInput.outcomeBatchSize,
      'scheduler.outcomeBatchSize',
      100,
      1,
      10_000,
    ),
    outcomeFlushMs: intOption(schedulerInput.outcomeFlushMs, 'scheduler.outcomeFlushMs', 5, 0, 60_000),
  });

  let workerId: string;
  try {
    workerId = options.workerId === undefined ? createWorkerId() : checkWorkerId(options.workerId);
  } catch (error) {
    fail('workerId', 'must be a non-empty string of at most 200 characters', error);
  }
  const store = options.store ?? createMemoryStore();
  if (typeof store !== 'object' || store === null || typeof store.claimDue !== 'function') {
    fail('store', 'must be a WebhookStore');
  }

  const clock = functionOption(options.clock, 'clock');
  return Object.freeze({
    store,
    ownsStore: options.store === undefined,
    targetUrl,
    scheme,
    secrets: Object.freeze(secrets),
    headers: resolveHeaders(options.headers, scheme),
    deliveryMode,
    retry: options.retry === undefined ? SVIX_SCHEDULE : checkRetryPolicy(options.retry, 'retry'),
    maxAttempts: intOption(
      options.maxAttempts,
      'maxAttempts',
      DEFAULT_MAX_ATTEMPTS,
      1,
      STORE_LIMITS.maxAttempts,
    ),
    queue,
    concurrency: intOption(options.concurrency, 'concurrency', 32, 1, 10_000),
    perOriginConcurrency: intOption(options.perOriginConcurrency, 'perOriginConcurrency', 64, 1, 10_000),
    timeouts,
    maxPayloadBytes: intOption(
      options.maxPayloadBytes,
      'maxPayloadBytes',
      256 * 1024,
      1,
      STORE_LIMITS.maxPayloadBytes,
    ),
    maxResponseBodyBytes: intOption(
      options.maxResponseBodyBytes,
      'maxResponseBodyBytes',
      4096,
      0,
      STORE_LIMITS.maxTextBytes,
    ),
    maxResponseReadBytes: intOption(
      options.maxResponseReadBytes,
      'maxResponseReadBytes',
      65_536,
      0,
      16 * 1024 * 1024,
    ),
    retryAfter,
    logger: resolveLogger(options.logger, secrets),
    workerId,
    leaseMs,
    scheduler,
    clock: clock ?? (() => new Date()),
    nowMs: clock === undefined ? Date.now : () => clock().getTime(),
    random: functionOption(options.random, 'random') ?? Math.random,
    httpDispatcher: options.httpDispatcher,
    onSettled: functionOption(options.onSettled, 'onSettled'),
    userAgent: USER_AGENT,
    endpointHealth: resolveEndpointHealthOptions(options.endpointHealth),
    ssrfGuard: resolveSsrfGuard(options.ssrfGuard),
  });
}
