import type { Dispatcher } from 'undici';
import type { AbortHandle } from './abort-handle.js';
import type { HttpFailure, HttpResponse } from './http-client.js';

/** Where a request goes, split once per URL. */
export interface RequestTarget {
  /** `http(s)://host:port`. */
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
}

/** How every request of one client is read and cut short. */
export interface CappedSettings {
  /** Most response-body bytes read; the rest is discarded and the request aborted. */
  readonly maxBytes: number;
  /** The total timeout (connect, headers and body), in milliseconds: the abort handle fires with `timeout`. */
  readonly totalMs: number;
  /** Turns what undici threw (or `AttemptAborted`) into a failure. */
  readonly failureOf: (error: unknown, abort: AbortHandle) => HttpFailure;
}

/** Thrown into the request to stop reading once the cap is reached. */
class CapReached extends Error {}

/** Thrown into the request when its `AbortHandle` fires (timeout or shutdown). */
export class AttemptAborted extends Error {}

const RETRY_AFTER = 'retry-after';

/** The total-timeout timer's callback (one function for every request: no closure per request). */
function onTimeout(abort: AbortHandle): void {
  abort.abort('timeout');
}

/** The value of the first `Retry-After` in undici's raw header list (names and values alternate). */
function findRetryAfter(rawHeaders: Buffer[]): string | undefined {
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === RETRY_AFTER.length && name.toString('latin1').toLowerCase() === RETRY_AFTER) {
      return rawHeaders[index + 1]!.toString('latin1');
    }
  }
  return undefined;
}

/**
 * One request's handler in undici's own (raw) handler interface, which undici runs without an adapter: the
 * response headers are never turned into an object (only `Retry-After` is looked up, on a 429 or 503).
 */
class CappedHandler {
  private status = 0;
  private retryAfter: string | undefined = undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private capped = false;
  private settled = false;
  private abortRequest: ((error: Error) => void) | undefined = undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly settings: CappedSettings,
    private readonly abort: AbortHandle,
    private readonly resolve: (result: HttpResponse | HttpFailure) => void,
  ) {
    this.timer = setTimeout(onTimeout, settings.totalMs, abort);
    abort.onAbort(this.cut);
  }

  /** The abort handle fired: cut the request now (or as soon as it starts, if it still waits for a connection). */
  private readonly cut = (): void => {
    const error = new AttemptAborted(this.abort.reason ?? 'aborted');
    this.abortRequest?.(error);
    this.settle(error);
  };

  onConnect(abort: (error: Error) => void): void {
    this.abortRequest = abort;
    if (this.abort.aborted) abort(new AttemptAborted(this.abort.reason ?? 'aborted'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    if (statusCode === 429 || statusCode === 503) this.retryAfter = findRetryAfter(rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.capped) return true;
    const room = this.settings.maxBytes - this.size;
    if (chunk.length < room) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      return true;
    }
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.size = this.settings.maxBytes;
    this.capped = true;
    this.abortRequest?.(new CapReached('response body cap reached'));
    return true;
  }

  onComplete(): void {
    this.settle(undefined);
  }

  onError(error: Error): void {
    this.settle(error);
  }

  private settle(error: Error | undefined): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.abort.clear();
    if (error !== undefined && !this.capped) {
      this.resolve(this.settings.failureOf(error, this.abort));
      return;
    }
    const { chunks } = this;
    const body =
      chunks.length === 0
        ? ''
        : chunks.length === 1
          ? chunks[0]!.toString('utf8')
          : Buffer.concat(chunks, this.size).toString('utf8');
    this.resolve({ ok: true, status: this.status, retryAfter: this.retryAfter, body });
  }
}

/**
 * POSTs through undici's `dispatch` with a minimal handler: it keeps the status, `Retry-After` (429/503) and
 * at most `settings.maxBytes` of the body, then aborts the response (a huge body is never buffered). No stream
 * or header objects are created per request, which makes a delivery cheaper than undici's `request()`.
 * Redirects are not followed. Never rejects: what undici throws, the total timeout and `abort` (which cuts the
 * request at once, even while it still waits for a connection) become a failure through `settings.failureOf`.
 *
 * @example
 * const result = await dispatchCapped(agent, { origin, path: '/hook' }, headers, body, settings, new AbortHandle());
 */
export function dispatchCapped(
  dispatcher: Dispatcher,
  target: RequestTarget,
  headers: Record<string, string>,
  body: string,
  settings: CappedSettings,
  abort: AbortHandle,
): Promise<HttpResponse | HttpFailure> {
  return new Promise((resolve) => {
    const handler = new CappedHandler(settings, abort, resolve);
    try {
      dispatcher.dispatch(
        { origin: target.origin, path: target.path, method: 'POST', headers, body },
        handler as unknown as Dispatcher.DispatchHandler,
      );
    } catch (error) {
      handler.onError(error as Error);
    }
  });
}
