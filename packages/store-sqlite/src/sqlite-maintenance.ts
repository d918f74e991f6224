import { type NormalisedReplay, planReplay, type ReplayReport, type TerminalStatus } from '@hooks/core';
import { all, run, type SqlProgram } from './sqlite-executor.js';
import { inList, queryBuilder, toStatement } from './sqlite-query-builder.js';
import type { EventRow, SqliteTableNames } from './sqlite-schema.js';
import { NOT_DELIVERED, statusIndexTerm } from './sqlite-status-index.js';

type ReplayRow = Pick<EventRow, 'id' | 'event_type' | 'status' | 'replay_count' | 'inserted_at'>;

/**
 * Replays: selects up to `limit` terminal rows oldest first (by `inserted_at`, id), refuses those at the
 * replay cap, and resets the rest to pending with `replay_count + 1`. A dry run only selects. The caller runs
 * a real replay in one `BEGIN IMMEDIATE` transaction, so the selection and the reset see the same rows.
 */
export function* replayRows(
  names: SqliteTableNames,
  replay: NormalisedReplay,
  now: number,
): SqlProgram<ReplayReport> {
  let query = queryBuilder
    .selectFrom(names.events)
    .select(['id', 'event_type', 'status', 'replay_count', 'inserted_at'])
    .where(inList('status', replay.statuses));
  const indexTerm = statusIndexTerm(replay.statuses);
  if (indexTerm !== undefined) query = query.where(indexTerm);
  if (replay.ids !== null) query = query.where(inList('id', replay.ids));
  if (replay.eventTypes !== null) query = query.where(inList('event_type', replay.eventTypes));
  if (replay.targetUrls !== null) query = query.where(inList('target_url', replay.targetUrls));
  if (replay.since !== null) query = query.where('inserted_at', '>=', replay.since.getTime());
  if (replay.until !== null) query = query.where('inserted_at', '<', replay.until.getTime());
  const select = toStatement(query.orderBy('inserted_at').orderBy('id').limit(replay.limit));
  const rows = yield* all<ReplayRow>(select.text, select.params);
  const { resetIds, report } = planReplay(
    rows.map((row) => ({
      id: row.id,
      eventType: row.event_type,
      status: row.status as TerminalStatus,
      replayCount: row.replay_count,
      insertedAt: new Date(row.inserted_at),
    })),
    replay,
  );
  if (resetIds.length > 0) {
    yield* run(
      `UPDATE ${names.events} SET status = 'pending', attempts = 0, next_retry_at = NULL, ` +
        'delivered_at = NULL, locked_by = NULL, locked_until = NULL, replay_count = replay_count + 1, ' +
        'updated_at = ? WHERE id IN (SELECT value FROM json_each(?))',
      [now, JSON.stringify(resetIds)],
    );
  }
  return report;
}

/**
 * Deletes attempt records finished before the cut-off, then terminal rows with the given statuses last
 * updated before it, with their attempt records. Pending rows are never deleted. The caller runs this in one
 * transaction.
 */
export function* pruneRows(
  names: SqliteTableNames,
  olderThan: number,
  statuses: readonly TerminalStatus[],
): SqlProgram<{ events: number; attempts: number }> {
  const indexTerm = statusIndexTerm(statuses) === undefined ? '' : ` AND ${NOT_DELIVERED}`;
  const prunable =
    `SELECT id FROM ${names.events} WHERE status IN (SELECT value FROM json_each(?))${indexTerm} ` +
    'AND updated_at < ?';
  const params = [JSON.stringify(statuses), olderThan];
  const old = yield* run(`DELETE FROM ${names.attempts} WHERE finished_at < ?`, [olderThan]);
  const owned = yield* run(`DELETE FROM ${names.attempts} WHERE event_id IN (${prunable})`, params);
  const events = yield* run(`DELETE FROM ${names.events} WHERE id IN (${prunable})`, params);
  return { events, attempts: old + owned };
}
