/** Bounds applied to a receiver's `Retry-After`. */
export interface RetryAfterBounds {
  /** Shortest wait honoured, in milliseconds (default 1 s). */
  readonly minMs: number;
  /** Longest wait honoured, in milliseconds (default 1 h). */
  readonly maxMs: number;
}

/** Default clamp window for `Retry-After`: 1 s to 1 h. */
export const DEFAULT_RETRY_AFTER_BOUNDS: RetryAfterBounds = Object.freeze({ minMs: 1_000, maxMs: 3_600_000 });

/**
 * Parses a `Retry-After` header value (delta seconds or an HTTP date) into a wait in milliseconds relative
 * to `nowMs`, clamped to `bounds`; undefined when the header is absent or unreadable.
 *
 * @example
 * parseRetryAfter('120', Date.now()); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.now()); // 1000 (a past date clamps to the minimum)
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined | null,
  nowMs: number,
  bounds: RetryAfterBounds = DEFAULT_RETRY_AFTER_BOUNDS,
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  let waitMs: number;
  if (/^\d+$/.test(text)) {
    waitMs = Number(text) * 1000;
  } else {
    // An HTTP date names its day or month (`Wed, 21 Oct 2015 07:28:00 GMT`); `Date.parse('-5')` is a year.
    if (!/[A-Za-z]{3}/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    waitMs = at - nowMs;
  }
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, waitMs));
}
