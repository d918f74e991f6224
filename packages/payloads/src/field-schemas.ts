import { z } from 'zod';

/** A safe integer of at least `minimum`, with `-0` normalised to `0` so it survives a JSON round trip. */
export function jsonInteger(minimum = Number.MIN_SAFE_INTEGER) {
  return z
    .int()
    .min(minimum)
    .transform((value) => value + 0);
}

/** An entity id as databases hand it out: a non-empty string or a safe integer. Output unchanged. */
export const entityIdSchema = z.union([z.string().min(1), jsonInteger()], {
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be a non-empty string or an integer'),
});

/** An entity id: a non-empty string or a safe integer (e.g. a database primary key). */
export type EntityId = string | number;

/** True when two ids name the same entity (`1` and `'1'` do: rows from different drivers disagree on types). */
export function sameId(a: EntityId, b: EntityId): boolean {
  return String(a) === String(b);
}
