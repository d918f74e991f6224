import { z } from 'zod';
import { parseInput } from './issue-wording.js';

/** Where builders read the time from when no `timestamp` is given; returns a Date or an ISO-8601 string. */
export type Clock = () => Date | string;

/** Per-call options every builder accepts as its last argument. */
export interface BuildOptions {
  /** The event's time (Date or ISO-8601 string); default: the catalog's clock, i.e. `new Date()`. */
  readonly timestamp?: Date | string;
}

/** The default clock: now. */
export const systemClock: Clock = () => new Date();

/**
 * A Date or an ISO-8601 date-time string (with `Z` or an offset), normalised to `Date#toISOString()`
 * (UTC, milliseconds) so every body carries one format.
 */
export const isoTimestampSchema = z
  .union([z.date(), z.iso.datetime({ offset: true })], {
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : 'must be a valid Date or an ISO-8601 date-time string such as 2024-05-01T12:00:00.000Z',
  })
  .transform((value, context) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      context.addIssue({ code: 'custom', message: 'is not a date that exists', input: value });
      return z.NEVER;
    }
    return date.toISOString();
  });

const timestampInput = z.object({ timestamp: isoTimestampSchema });

/** Resolves the ISO timestamp of one build: `options.timestamp` if given, else the clock's reading. */
export function resolveTimestamp(options: BuildOptions | undefined, clock: Clock): string {
  const given = options?.timestamp;
  return parseInput(
    timestampInput,
    { timestamp: given === undefined ? clock() : given },
    given === undefined ? 'timestamp from the clock' : 'timestamp',
  ).timestamp;
}
