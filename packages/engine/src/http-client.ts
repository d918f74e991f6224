import { Agent, type Dispatcher } from 'undici';
import { AbortHandle } from './abort-handle.js';
import { type CappedSettings, dispatchCapped, type RequestTarget } from './capped-response.js';
import { createGuardedConnector } from './ssrf-connector.js';
import { findBlocked, resolveChecked, type SsrfPolicy } from './ssrf-guard.js';

/** Timeouts applied to every request. */
export interface Timeouts {
  /** Longest wait for the TCP/TLS connection, in milliseconds (default 5000). */
  readonly connectMs: number;
  /** Longest wait for the whole request: connect, headers and body (default 15000). */
  readonly totalMs: number;
}

/** Options of `createHttpClient`. */
export interface HttpClientOptions {
  /** Request timeouts. */
  readonly timeouts: Timeouts;
  /** Most connections (and in-flight requests) per origin. */
  readonly perOriginConcurrency: number;
  /** Most response-body bytes read; the rest of a larger body is discarded and the stream destroyed. */
  readonly maxReadBytes: number;
  /** An undici dispatcher to use instead of the client's own Agent (not closed by the client). */
  readonly dispatcher?: Dispatcher;
  /**
   * The SSRF policy (undefined: no guard). With the client's own Agent it is enforced in the connector (the
   * connection goes to the checked address); with a caller's `dispatcher` the target host is checked before
   * each request, but that dispatcher resolves the name again.
   */
  readonly ssrfGuard?: SsrfPolicy;
}

/** A response that came back (any status). */
export interface HttpResponse {
  /** Discriminant. */
  readonly ok: true;
  /** HTTP status. */
  readonly status: number;
  /** The `Retry-After` header of a 429 or 503 answer, else undefined (no other header is read). */
  readonly retryAfter: string | undefined;
  /** Start of the body, decoded as UTF-8 (at most `maxReadBytes`). */
  readonly body: string;
}

/** A request that got no response. */
export interface HttpFailure {
  /** Discriminant. */
  readonly ok: false;
  /** `timeout` (total or connect), `network` (refused, reset, DNS), `blocked` (SSRF guard) or `aborted` (shutdown). */
  readonly kind: 'timeout' | 'network' | 'blocked' | 'aborted';
  /** Short, human, secret-free description, e.g. `timeout after 15000 ms`. */
  readonly error: string;
}

/** Counts in-flight requests per origin and refuses more than `limit`. */
export class OriginLimiter {
  private readonly inFlight = new Map<string, number>();

  constructor(
    /** Most in-flight requests per origin. */
    readonly limit: number,
  ) {}

  /** True when `origin` has a free slot. */
  readonly isOpen = (origin: string): boolean => (this.inFlight.get(origin) ?? 0) < this.limit;

  /** Takes a slot for `origin`; false when none is free. */
  tryAcquire(origin: string): boolean {
    const count = this.inFlight.get(origin) ?? 0;
    if (count >= this.limit) return false;
    this.inFlight.set(origin, count + 1);
    return true;
  }

  /** Gives back a slot taken with `tryAcquire`. */
  release(origin: string): void {
    const count = (this.inFlight.get(origin) ?? 1) - 1;
    if (count <= 0) this.inFlight.delete(origin);
    else this.inFlight.set(origin, count);
  }
}

/** POSTs over keep-alive connection pools with timeouts, a body cap and per-origin limits. */
export interface HttpClient {
  /** Per-origin in-flight limits (the caller acquires a slot before `post`). */
  readonly origins: OriginLimiter;
  /** The origin (`https://host:port`) of `url`, cached; the lane key for per-origin limits. */
  originOf(url: string): string;
  /** POSTs `body`; resolves with the response or a failure, never rejects. `abort` also carries the timeout. */
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
    abort?: AbortHandle,
  ): Promise<HttpResponse | HttpFailure>;
  /** Closes the connection pools (in-flight requests are cut after a short grace). */
  close(): Promise<void>;
}

const ABORTED_BEFORE_SENDING: HttpFailure = Object.freeze({
  ok: false,
  kind: 'aborted',
  error: 'aborted before sending',
});

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/** A short, secret-free description of a network error thrown by undici or node:net. */
export function describeNetworkError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: unknown } | null;
  const code = err?.code;
  if (code === 'UND_ERR_SOCKET') return 'connection closed by the receiver (socket reset)';
  if (code !== undefined && NETWORK_CODES.has(code) && typeof err?.message === 'string') {
    return err.message.replace(/\s+/g, ' ').slice(0, 200);
  }
  if (err?.cause !== undefined && err.cause !== error) return describeNetworkError(err.cause);
  const message = typeof err?.message === 'string' ? err.message : String(error);
  return `network error: ${message.replace(/\s+/g, ' ').slice(0, 200)}`;
}

/**
 * An HTTP client for deliveries: one undici `Agent` (a keep-alive `Pool` per origin with at most
 * `perOriginConcurrency` connections), a connect timeout, a total timeout covering headers and body,
 * a cap on the body read, and no redirects (a 3xx comes back as a response). With `ssrfGuard`, the Agent's
 * connector resolves and checks each new connection's host and connects to the checked address; a refused
 * one comes back as a `blocked` failure.
 *
 * @example
 * const client = createHttpClient({ timeouts: { connectMs: 5000, totalMs: 15000 }, perOriginConcurrency: 64, maxReadBytes: 65536 });
 * const result = await client.post('https://example.test/hook', { 'content-type': 'application/json' }, '{}');
 * await client.close();
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { connectMs, totalMs } = options.timeouts;
  const ownAgent =
    options.dispatcher === undefined
      ? new Agent({
          connections: options.perOriginConcurrency,
          connect:
            options.ssrfGuard === undefined
              ? { timeout: connectMs }
              : createGuardedConnector(options.ssrfGuard, { timeout: connectMs }),
          headersTimeout: totalMs,
          bodyTimeout: totalMs,
        })
      : undefined;
  const dispatcher = options.dispatcher ?? ownAgent!;
  const origins = new OriginLimiter(options.perOriginConcurrency);
  // A caller's dispatcher (a proxy, say) makes its own connections: check the target before each request.
  const preflight = options.dispatcher === undefined ? undefined : options.ssrfGuard;
  const targets = new Map<string, RequestTarget>();

  function targetOf(url: string): RequestTarget {
    let target = targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = Object.freeze({ origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` });
      if (targets.size >= 1000) targets.clear();
      targets.set(url, target);
    }
    return target;
  }

  const originOf = (url: string): string => targetOf(url).origin;

  const failureOf = (error: unknown, abort: AbortHandle): HttpFailure => {
    const blocked = findBlocked(error);
    if (blocked !== undefined) return { ok: false, kind: 'blocked', error: blocked.message };
    const code = (error as { code?: string } | null)?.code;
    if (abort.reason === 'timeout' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return { ok: false, kind: 'timeout', error: `timeout after ${totalMs} ms` };
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return { ok: false, kind: 'timeout', error: `connect timeout after ${connectMs} ms` };
    }
    if (abort.reason === 'shutdown') {
      return { ok: false, kind: 'aborted', error: 'aborted: the dispatcher is shutting down' };
    }
    return { ok: false, kind: 'network', error: describeNetworkError(error) };
  };
  const settings: CappedSettings = Object.freeze({ maxBytes: options.maxReadBytes, totalMs, failureOf });

  function post(
    url: string,
    headers: Record<string, string>,
    body: string,
    abort: AbortHandle = new AbortHandle(),
  ): Promise<HttpResponse | HttpFailure> {
    if (abort.aborted) return Promise.resolve(ABORTED_BEFORE_SENDING);
    if (preflight !== undefined) return postChecked(preflight, url, headers, body, abort);
    return dispatchCapped(dispatcher, targetOf(url), headers, body, settings, abort);
  }

  /** `post` through a caller's dispatcher: the target host is resolved and checked first (within the total timeout). */
  async function postChecked(
    policy: SsrfPolicy,
    url: string,
    headers: Record<string, string>,
    body: string,
    abort: AbortHandle,
  ): Promise<HttpResponse | HttpFailure> {
    const started = performance.now();
    const timer = setTimeout(() => abort.abort('timeout'), totalMs);
    try {
      await resolveChecked(policy, new URL(url).hostname);
    } catch (error) {
      return failureOf(error, abort);
    } finally {
      clearTimeout(timer);
    }
    if (abort.aborted) return failureOf(new Error('aborted'), abort);
    // The request gets what is left of the total timeout.
    const left = Math.max(1, Math.round(totalMs - (performance.now() - started)));
    return dispatchCapped(dispatcher, targetOf(url), headers, body, { ...settings, totalMs: left }, abort);
  }

  async function close(): Promise<void> {
    if (ownAgent === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), 1000);
    });
    const closed = await Promise.race([ownAgent.close().then(() => 'closed' as const), grace]).catch(
      () => 'late',
    );
    clearTimeout(timer);
    if (closed !== 'closed') await ownAgent.destroy().catch(() => undefined);
  }

  return Object.freeze({ origins, originOf, post, close });
}
