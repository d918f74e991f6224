import type { Dispatcher } from 'undici';
import type { AbortHandle } from './abort-handle.js';

/** Where a request goes, split once per URL. */
export interface RequestTarget {
  /** `http(s)://host:port`. */
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
}

/** What came back: status, headers and the start of the body. */
export interface CappedResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers (lower-case names). */
  readonly headers: Record<string, string | string[] | undefined>;
  /** At most `maxBytes` of the body, decoded as UTF-8. */
  readonly body: string;
}

/** Thrown into the request to stop reading once the cap is reached. */
class CapReached extends Error {}

/** Thrown into the request when its `AbortHandle` fires (timeout or shutdown). */
export class AttemptAborted extends Error {}

/**
 * POSTs through undici's `dispatch` with a minimal handler: it keeps the status, the headers and at most
 * `maxBytes` of the body, then aborts the response (a huge body is never buffered). No stream objects are
 * created per request, which makes a delivery cheaper than undici's `request()`. Redirects are not followed.
 * The promise rejects with undici's error, or with `AttemptAborted` as soon as `abort` fires (even while the
 * request is still queued for a connection; it is cut when it starts).
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
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let responseHeaders: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    let capped = false;
    let settled = false;

    const settle = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      abort.clear();
      if (error !== undefined && !capped) {
        reject(error);
        return;
      }
      const text =
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      resolve({ status, headers: responseHeaders, body: text });
    };
    const onAbort = (): void => {
      const error = new AttemptAborted(abort.reason ?? 'aborted');
      controller?.abort(error);
      settle(error);
    };
    abort.onAbort(onAbort);

    dispatcher.dispatch(
      { origin: target.origin, path: target.path, method: 'POST', headers, body },
      {
        onRequestStart(started) {
          controller = started;
          if (abort.aborted) started.abort(new AttemptAborted(abort.reason ?? 'aborted'));
        },
        onResponseStart(_controller, statusCode, incoming) {
          if (statusCode < 200) return;
          status = statusCode;
          responseHeaders = incoming as Record<string, string | string[] | undefined>;
        },
        onResponseData(current, chunk) {
          if (capped) return;
          const room = maxBytes - size;
          if (chunk.length < room) {
            chunks.push(chunk);
            size += chunk.length;
            return;
          }
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size = maxBytes;
          capped = true;
          current.abort(new CapReached('response body cap reached'));
        },
        onResponseEnd() {
          settle(undefined);
        },
        onResponseError(_controller, error) {
          settle(error);
        },
      },
    );
  });
}
