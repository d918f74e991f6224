import {
  ConfigurationError,
  HooksError,
  InvalidInputError,
  isTerminalStatus,
  STORE_LIMITS,
  type WebhookEvent,
} from '@hooks/core';
import type { SignatureScheme } from '@hooks/signing';
import { createMemoryStore } from '@hooks/store-memory';
import type { Dispatcher as UndiciDispatcher } from 'undici';
import type { QueuePolicy } from './bounded-queue.js';
import type { DispatcherDiagnostics } from './diagnostics.js';
import { createDispatcher } from './dispatcher.js';
import { ClosedError, QueueFullError } from './engine-errors.js';
import { type FailureRecord, FailureStore, type FailureStoreOptions } from './failure-store.js';
import type { Timeouts } from './http-client.js';
import { createRedactingLogger, type Logger, secretVariants, silentLogger } from './logger.js';
import { checkTargetUrl } from './option-checks.js';
import type { RetryPolicy } from './retry-policy.js';
import type { StopOptions } from './scheduler.js';
import type { SsrfGuardOptions } from './ssrf-guard.js';

/** Options of `createNotifier`. */
export interface NotifierOptions {
  /** The receiver's URL. */
  url: string;
  /** A Standard Webhooks secret (`whsec_<base64>`), unless `scheme` is given. */
  secret?: string;
  /** A `@hooks/signing` scheme (e.g. CampaignFlow style). */
  scheme?: SignatureScheme;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The bounded queue: capacity (default 500) and policy (default `drop_oldest`). */
  queue?: { capacity?: number; policy?: QueuePolicy; blockTimeoutMs?: number };
  /** Retry policy (default exponential, 1 s base, 60 s cap, full jitter). */
  retry?: RetryPolicy;
  /** Attempts per event (default 5). */
  maxAttempts?: number;
  /** Bounded record of terminal failures (default 200 records, in memory only). */
  failureStore?: FailureStoreOptions;
  /** Attempts in flight at once (default 4). */
  concurrency?: number;
  /** Request timeouts (defaults 5000 / 15000 ms). */
  timeouts?: Partial<Timeouts>;
  /** pino-compatible logger (default silent); everything is redacted of the secret. */
  logger?: Logger;
  /** The notifier's notion of now. */
  clock?: () => Date;
  /** Random source for jitter. */
  random?: () => number;
  /** An undici dispatcher to send through (tests, proxies). */
  httpDispatcher?: UndiciDispatcher;
  /** The SSRF guard (on by default; `false` turns it off, unsafe): see `DispatcherOptions.ssrfGuard`. */
  ssrfGuard?: false | SsrfGuardOptions;
}

/** What `notify` did. Never thrown: a notifier does not fail its caller. */
export type NotifyResult =
  | { accepted: true; id: string }
  | {
      accepted: false;
      reason: 'invalid_input' | 'queue_full' | 'closed' | 'error';
      id?: string;
      error: string;
    };

/** What a notifier replay did. */
export interface NotifierReplayReport {
  /** Failure records looked at (within the limit). */
  considered: number;
  /** Records sent again (they leave the list once delivered). */
  replayed: number;
  /** Ids sent again. */
  ids: string[];
}

/** Notifier diagnostics: the dispatcher's, plus what the notifier itself counted. */
export interface NotifierDiagnostics extends DispatcherDiagnostics {
  /** Notifier counters. */
  notifier: {
    /** `notify` calls accepted. */
    accepted: number;
    /** `notify` calls refused, by reason. */
    refused: { invalid_input: number; queue_full: number; closed: number; error: number };
    /** Failure records held. */
    failureRecords: number;
    /** Whether failure records are persisted to a file. */
    persisted: boolean;
  };
}

/** An in-process, non-blocking webhook notifier. */
export interface Notifier extends AsyncDisposable {
  /** Queues one event; never throws and only waits with the `block` policy (up to its timeout). */
  notify(eventType: string, payload: unknown): Promise<NotifyResult>;
  /** Counters, queue state, latency and recent failures (no secrets). */
  diagnostics(): NotifierDiagnostics;
  /** The failure records, oldest first. */
  failures(): FailureRecord[];
  /** Sends failure records again (oldest first, at most `limit`; optionally only `ids`). */
  replay(options: { limit: number; ids?: readonly string[] }): Promise<NotifierReplayReport>;
  /** Stops delivery (in-flight attempts get `deadlineMs`) and writes the failure records. */
  close(options?: StopOptions): Promise<void>;
}

const DEFAULT_NOTIFIER_RETRY: RetryPolicy = Object.freeze({
  kind: 'exponential',
  baseMs: 1000,
  maxMs: 60_000,
  jitter: 'full',
});

/**
 * Creates an in-process notifier: a dispatcher on a private memory store (async mode, its scheduler
 * running for retries, dropped hand-offs recorded as skipped) plus a bounded failure record list.
 *
 * @example
 * const notifier = createNotifier({ url: 'https://example.com/hooks', secret: process.env.WEBHOOK_SECRET! });
 * void notifier.notify('task.completed', { taskId: 'T-1' }); // never throws, never blocks
 * console.log(notifier.diagnostics().totals.delivered);
 * await notifier.close();
 */
export function createNotifier(options: NotifierOptions): Notifier {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options must be an object', { details: { field: 'options' } });
  }
  const url = checkTargetUrl(options.url, 'url');
  const secrets = typeof options.secret === 'string' ? secretVariants(options.secret) : [];
  const logger = options.logger === undefined ? silentLogger : createRedactingLogger(options.logger, secrets);
  const failures = new FailureStore(options.failureStore ?? {}, secrets, logger);
  const clock = options.clock ?? (() => new Date());
  const store = createMemoryStore({ clock });
  const refused = { invalid_input: 0, queue_full: 0, closed: 0, error: 0 };
  let accepted = 0;
  let pruneTimer: NodeJS.Timeout | undefined;

  const prune = (): void => {
    pruneTimer ??= setTimeout(() => {
      pruneTimer = undefined;
      store
        .prune({ olderThan: new Date(clock().getTime() + 1), statuses: ['delivered', 'failed', 'skipped'] })
        .catch(() => undefined);
    }, 1000);
    pruneTimer.unref?.();
  };

  const onSettled = (event: WebhookEvent): void => {
    if (event.status === 'delivered') failures.remove(event.id);
    else failures.add(toRecord(event, clock()));
    prune();
  };

  const dispatcher = createDispatcher({
    store,
    targetUrl: url,
    secret: options.secret,
    scheme: options.scheme,
    headers: options.headers,
    deliveryMode: 'async',
    retry: options.retry ?? DEFAULT_NOTIFIER_RETRY,
    maxAttempts: options.maxAttempts ?? 5,
    queue: {
      capacity: options.queue?.capacity ?? 500,
      policy: options.queue?.policy ?? 'drop_oldest',
      blockTimeoutMs: options.queue?.blockTimeoutMs,
      onDrop: 'skip',
    },
    concurrency: options.concurrency ?? 4,
    timeouts: options.timeouts,
    logger: options.logger,
    clock,
    random: options.random,
    httpDispatcher: options.httpDispatcher,
    ssrfGuard: options.ssrfGuard,
    onSettled,
  });
  dispatcher.start();

  function refuse(reason: keyof typeof refused, error: string, id?: string): NotifyResult {
    refused[reason] += 1;
    return id === undefined ? { accepted: false, reason, error } : { accepted: false, reason, id, error };
  }

  async function notify(eventType: string, payload: unknown): Promise<NotifyResult> {
    try {
      const row = await dispatcher.enqueue(eventType, payload);
      if (row.status === 'skipped') return refuse('queue_full', row.lastError ?? 'dropped', row.id);
      accepted += 1;
      return { accepted: true, id: row.id };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (QueueFullError.isInstance(error)) return refuse('queue_full', message, String(error.details?.id));
      if (InvalidInputError.isInstance(error)) return refuse('invalid_input', message);
      if (ClosedError.isInstance(error)) return refuse('closed', message);
      logger.error({ error: HooksError.isInstance(error) ? error.code : 'unknown' }, 'notify failed');
      return refuse('error', HooksError.isInstance(error) ? message : 'internal error');
    }
  }

  async function replay(replayOptions: {
    limit: number;
    ids?: readonly string[];
  }): Promise<NotifierReplayReport> {
    const limit = replayOptions?.limit;
    if (
      typeof limit !== 'number' ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > STORE_LIMITS.maxReplayLimit
    ) {
      throw new InvalidInputError(`limit is required: an integer from 1 to ${STORE_LIMITS.maxReplayLimit}`, {
        details: { field: 'limit' },
      });
    }
    const wanted = replayOptions.ids === undefined ? undefined : new Set(replayOptions.ids);
    const records = failures
      .list()
      .filter((record) => wanted === undefined || wanted.has(record.id))
      .slice(0, limit);
    const ids: string[] = [];
    for (const record of records) {
      const existing = await store.get(record.id);
      if (existing !== undefined && !isTerminalStatus(existing.status)) continue;
      if (existing === undefined) {
        await store.insert({
          id: record.id,
          eventType: record.eventType,
          payload: record.payload,
          targetUrl: url,
        });
      } else {
        await store.replay(
          { ids: [record.id], status: ['failed', 'skipped'] },
          { limit: 1, maxReplays: 1000 },
        );
      }
      ids.push(record.id);
    }
    logger.info({ replayed: ids.length }, 'failure records replayed');
    return { considered: records.length, replayed: ids.length, ids };
  }

  async function close(stopOptions?: StopOptions): Promise<void> {
    if (pruneTimer !== undefined) clearTimeout(pruneTimer);
    await dispatcher.close(stopOptions);
    await store.close();
    await failures.flush();
  }

  return Object.freeze({
    notify,
    diagnostics: (): NotifierDiagnostics => ({
      ...dispatcher.diagnostics(),
      notifier: {
        accepted,
        refused: { ...refused },
        failureRecords: failures.size,
        persisted: options.failureStore?.path !== undefined,
      },
    }),
    failures: () => failures.list(),
    replay,
    close,
    [Symbol.asyncDispose]: () => close(),
  });
}

function toRecord(event: WebhookEvent, now: Date): FailureRecord {
  return {
    id: event.id,
    eventType: event.eventType,
    payload: event.payload,
    error: event.lastError ?? event.status,
    attempts: event.attempts,
    responseStatus: event.responseStatus,
    at: now.toISOString(),
  };
}
