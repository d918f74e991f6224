import { encodeCursor, type NormalisedListQuery, type NormalisedReplay } from '@hooks/core';
import type { MemoryRow } from './memory-rows.js';

/** Orders ids the way the SQL stores do (plain code-unit order; ids are ASCII). */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** True when the row's lease is still running at `now`. */
export function isLeaseLive(row: MemoryRow, now: Date): boolean {
  return row.lockedUntil !== null && row.lockedUntil.getTime() > now.getTime();
}

/** True when another worker than `workerId` holds a live lease on the row. */
export function isLeasedByOther(row: MemoryRow, workerId: string, now: Date): boolean {
  return row.lockedBy !== null && row.lockedBy !== workerId && isLeaseLive(row, now);
}

/** Pending, attempts left, `nextRetryAt` null or not after `now`, and not under a live lease. */
export function isDue(row: MemoryRow, now: Date): boolean {
  return (
    row.status === 'pending' &&
    row.attempts < row.maxAttempts &&
    (row.nextRetryAt === null || row.nextRetryAt.getTime() <= now.getTime()) &&
    !isLeaseLive(row, now)
  );
}

function inTimeRange(row: MemoryRow, since: Date | null, until: Date | null): boolean {
  const inserted = row.insertedAt.getTime();
  return (since === null || inserted >= since.getTime()) && (until === null || inserted < until.getTime());
}

/** One page of `list`: filtered, ordered by id, after the cursor; with the next cursor if more rows match. */
export function selectPage(
  rows: Iterable<MemoryRow>,
  query: NormalisedListQuery,
): { rows: MemoryRow[]; nextCursor: string | null } {
  const { afterId, order } = query;
  const direction = order === 'asc' ? 1 : -1;
  const matching = [...rows]
    .filter(
      (row) =>
        (query.statuses === null || query.statuses.includes(row.status)) &&
        (query.eventTypes === null || query.eventTypes.includes(row.eventType)) &&
        inTimeRange(row, query.since, query.until) &&
        (afterId === null || compareIds(row.id, afterId) * direction > 0),
    )
    .sort((a, b) => compareIds(a.id, b.id) * direction);
  const page = matching.slice(0, query.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: matching.length > page.length && last ? encodeCursor(last.id) : null };
}

/** True when `urls` is null (any target) or holds the row's exact target URL. */
function hasTarget(row: MemoryRow, urls: readonly string[] | null): boolean {
  return urls === null || (row.targetUrl !== null && urls.includes(row.targetUrl));
}

/** Terminal rows a replay selects, oldest first by (`insertedAt`, id), at most `limit`. */
export function selectReplay(rows: Iterable<MemoryRow>, replay: NormalisedReplay): MemoryRow[] {
  const statuses: readonly string[] = replay.statuses;
  return [...rows]
    .filter(
      (row) =>
        statuses.includes(row.status) &&
        (replay.ids === null || replay.ids.includes(row.id)) &&
        (replay.eventTypes === null || replay.eventTypes.includes(row.eventType)) &&
        hasTarget(row, replay.targetUrls) &&
        inTimeRange(row, replay.since, replay.until),
    )
    .sort((a, b) => a.insertedAt.getTime() - b.insertedAt.getTime() || compareIds(a.id, b.id))
    .slice(0, replay.limit);
}
