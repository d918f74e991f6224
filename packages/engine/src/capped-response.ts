import type { Dispatcher } from 'undici';
import type { AbortHandle } from './abort-handle.js';

/** Where a request goes, split once per URL. */
export interface RequestTarget {
  /** `http(s)://host:port`. */
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
}

/** What came back: the status, `Retry-After` when it matters, and the start of the body. */
export interface CappedResponse {
  /** HTTP status. */
  readonly status: number;
  /** The `Retry-After` header of a 429 or 503 answer (the only statuses that honour it), else undefined. */
  readonly retryAfter: string | undefined;
  /** At most `maxBytes` of the body, decoded as UTF-8. */
  readonly body: string;
}

/** Thrown into the request to stop reading once the cap is reached. */
class CapReached extends Error {}

/** Thrown into the request when its `AbortHandle` fires (timeout or shutdown). */
export class AttemptAborted extends Error {}

const RETRY_AFTER = 'retry-after';

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

  constructor(
    private readonly maxBytes: number,
    private readonly abort: AbortHandle,
    private readonly resolve: (response: CappedResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {
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
    const room = this.maxBytes - this.size;
    if (chunk.length < room) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      return true;
    }
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.size = this.maxBytes;
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
    this.abort.clear();
    if (error !== undefined && !this.capped) {
      this.reject(error);
      return;
    }
    const { chunks } = this;
    const body =
      chunks.length === 0
        ? ''
        : chunks.length === 1
          ? chunks[0]!.toString('utf8')
          : Buffer.concat(chunks, this.size).toString('utf8');
    this.resolve({ status: this.status, retryAfter: this.retryAfter, body });
  }
}

/**
 * POSTs through undici's `dispatch` with a minimal handler: it keeps the status, `Retry-After` (429/503) and
 * at most `maxBytes` of the body, then aborts the response (a huge body is never buffered). No stream or
 * header objects are created per request, which makes a delivery cheaper than undici's `request()`.
 * Redirects are not followed. The promise rejects with undici's error, or with `AttemptAborted` as soon as
 * `abort` fires (even while the request is still queued for a connection; it is cut when it starts).
 *
 * @example
 * const response = await dispatchCapped(agent, { origin, path: '/hook' }, headers, body, 65536, new AbortHandle());
 */
export function dispatchCapped(
  dispatcher: Dispatcher,
  target: RequestTarget,
  headers: Record<string, string>,
  body: string,
  maxBytes: number,
  abort: AbortHandle,
): Promise<CappedResponse> {
  return new Promise((resolve, reject) => {
    const handler = new CappedHandler(maxBytes, abort, resolve, reject);
    dispatcher.dispatch(
      { origin: target.origin, path: target.path, method: 'POST', headers, body },
      handler as unknown as Dispatcher.DispatchHandler,
    );
  });
}
