import { InvalidInputError } from '@hooks/core';
import { parseDuration } from '@hooks/engine';

/**
 * Reads a point in time given on the command line: a duration back from `now` (`90s`, `15m`, `1h`, `2d`)
 * or an ISO 8601 timestamp (`2026-01-31T12:00:00Z`). Throws a one-line `InvalidInputError` naming the flag.
 *
 * @example
 * parseTimeInput('1h', '--since', new Date()); // one hour ago
 */
export function parseTimeInput(raw: string, flag: string, now: Date): Date {
  const text = raw.trim();
  if (/^\d/.test(text) && !/[-:T]/.test(text)) {
    try {
      return new Date(now.getTime() - parseDuration(text, flag));
    } catch {
      // fall through to the one-line message below
    }
  } else if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text))) {
    return new Date(Date.parse(text));
  }
  throw new InvalidInputError(
    `${flag} must be a duration back from now (90s, 15m, 1h, 2d) or an ISO 8601 time (2026-01-31T12:00:00Z), got ${JSON.stringify(text.slice(0, 60))}`,
    { details: { field: flag } },
  );
}
