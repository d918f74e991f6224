import type { PreparedOutcome, RecordResult } from '@hooks/core';
import { all, run, type SqlProgram } from './sqlite-executor.js';
import { rowToEvent } from './sqlite-rows.js';
import type { EventRow, SqliteTableNames } from './sqlite-schema.js';

/**
 * Applies checked outcomes (the caller runs this in one transaction). Each is fenced: it changes the row only while it is pending,
 * leased by the reporting worker, and has made exactly `attemptNumber - 1` attempts; then it appends an attempt
 * record and releases the lease. A refused outcome changes nothing and records nothing.
 */
export function* applyOutcomes(
  names: SqliteTableNames,
  outcomes: readonly PreparedOutcome[],
  now: number,
): SqlProgram<RecordResult[]> {
  const update =
    `UPDATE ${names.events} SET status = ?, attempts = ?, next_retry_at = coalesce(?, next_retry_at), ` +
    'last_attempt_at = ?, last_error = ?, response_status = ?, response_body = ?, ' +
    'delivered_at = coalesce(?, delivered_at), locked_by = NULL, locked_until = NULL, updated_at = ? ' +
    "WHERE id = ? AND status = 'pending' AND locked_by = ? AND attempts = ? RETURNING *";
  const insertAttempt =
    `INSERT INTO ${names.attempts} (event_id, attempt_number, replay_count, started_at, finished_at, ` +
    'duration_ms, response_status, response_body, error, request_headers, worker_id) ' +
    'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const select = `SELECT * FROM ${names.events} WHERE id = ?`;
  const results: RecordResult[] = [];
  for (const outcome of outcomes) {
    const started = outcome.startedAt.getTime();
    const finished = outcome.finishedAt.getTime();
    const [row] = yield* all<EventRow>(update, [
      outcome.kind === 'retry' ? 'pending' : outcome.kind,
      outcome.attemptNumber,
      outcome.kind === 'retry' ? (outcome.nextRetryAt?.getTime() ?? null) : null,
      started,
      outcome.error,
      outcome.responseStatus,
      outcome.responseBody,
      outcome.kind === 'delivered' ? finished : null,
      now,
      outcome.eventId,
      outcome.workerId,
      outcome.attemptNumber - 1,
    ]);
    if (row === undefined) {
      const [current] = yield* all<EventRow>(select, [outcome.eventId]);
      results.push({
        eventId: outcome.eventId,
        applied: false,
        event: current === undefined ? undefined : rowToEvent(current),
      });
      continue;
    }
    yield* run(insertAttempt, [
      row.id,
      outcome.attemptNumber,
      row.replay_count,
      started,
      finished,
      outcome.durationMs,
      outcome.responseStatus,
      outcome.responseBody,
      outcome.error,
      outcome.requestHeadersJson,
      outcome.workerId,
    ]);
    results.push({ eventId: row.id, applied: true, event: rowToEvent(row) });
  }
  return results;
}
