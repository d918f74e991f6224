import type { PreparedOutcome, RecordResult } from '@hooks/core';
import { all, run, type SqlParam, type SqlProgram } from './sqlite-executor.js';
import { OUTCOME_RETURNING, type OutcomeRow, outcomeToEvent, rowToEvent } from './sqlite-rows.js';
import type { EventRow, SqliteTableNames } from './sqlite-schema.js';

/** Columns of an attempt record, in the order `attemptParams` gives them. */
const ATTEMPT_COLUMNS =
  'event_id, attempt_number, replay_count, started_at, finished_at, duration_ms, response_status, ' +
  'response_body, error, request_headers, worker_id';

/** Attempt records per INSERT statement: fewer statements per batch, few distinct statements to cache. */
const ATTEMPTS_PER_STATEMENT = [32, 8, 1] as const;

/** An applied outcome whose attempt record is still to be written. */
interface AttemptRecord {
  /** The outcome. */
  outcome: PreparedOutcome;
  /** The row's replay count when the attempt was made. */
  replayCount: number;
}

/** Parameters of `count` attempt records from `from` on, in `ATTEMPT_COLUMNS` order, in one flat array. */
function attemptParams(records: readonly AttemptRecord[], from: number, count: number): SqlParam[] {
  const params = new Array<SqlParam>(count * 11);
  let at = 0;
  for (let index = from; index < from + count; index++) {
    const { outcome, replayCount } = records[index]!;
    params[at++] = outcome.eventId;
    params[at++] = outcome.attemptNumber;
    params[at++] = replayCount;
    params[at++] = outcome.startedAt.getTime();
    params[at++] = outcome.finishedAt.getTime();
    params[at++] = outcome.durationMs;
    params[at++] = outcome.responseStatus;
    params[at++] = outcome.responseBody;
    params[at++] = outcome.error;
    params[at++] = outcome.requestHeadersJson;
    params[at++] = outcome.workerId;
  }
  return params;
}

/** The multi-row attempt INSERT of `size` rows into `table` (built once per table and size). */
const attemptInserts = new Map<string, string>();
function attemptInsert(table: string, size: number): string {
  const key = `${table} ${size}`;
  let text = attemptInserts.get(key);
  if (text === undefined) {
    const values = Array.from({ length: size }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    text = `INSERT INTO ${table} (${ATTEMPT_COLUMNS}) VALUES ${values}`;
    attemptInserts.set(key, text);
  }
  return text;
}

/** Appends attempt records, in order, with multi-row INSERTs of 32, 8 and 1 rows. */
function* insertAttempts(names: SqliteTableNames, records: readonly AttemptRecord[]): SqlProgram<void> {
  let next = 0;
  for (const size of ATTEMPTS_PER_STATEMENT) {
    for (; records.length - next >= size; next += size) {
      yield* run(attemptInsert(names.attempts, size), attemptParams(records, next, size));
    }
  }
}

/**
 * Applies checked outcomes (the caller runs this in one transaction). Each is fenced: it changes the row only
 * while it is pending, leased by the reporting worker, and has made exactly `attemptNumber - 1` attempts; then
 * it releases the lease, and its attempt record is appended (all records of the batch together, in order, at
 * the end). A refused outcome changes nothing and records nothing. The UPDATE returns only the columns the
 * outcome did not set; `outcomeToEvent` builds the row from them and the outcome (with `returnEvents` false,
 * only the replay count comes back and no row is built or read).
 */
export function* applyOutcomes(
  names: SqliteTableNames,
  outcomes: readonly PreparedOutcome[],
  now: number,
  returnEvents = true,
): SqlProgram<RecordResult[]> {
  // Without returned events only the replay count (for the attempt record) comes back.
  const update =
    `UPDATE ${names.events} SET status = ?, attempts = ?, next_retry_at = coalesce(?, next_retry_at), ` +
    'last_attempt_at = ?, last_error = ?, response_status = ?, response_body = ?, ' +
    'delivered_at = coalesce(?, delivered_at), locked_by = NULL, locked_until = NULL, updated_at = ? ' +
    "WHERE id = ? AND status = 'pending' AND locked_by = ? AND attempts = ? " +
    `RETURNING ${returnEvents ? OUTCOME_RETURNING : 'replay_count'}`;
  const select = `SELECT * FROM ${names.events} WHERE id = ?`;
  const results: RecordResult[] = [];
  const records: AttemptRecord[] = [];
  const recordedAt = new Date(now);
  for (const outcome of outcomes) {
    const [row] = yield* all<OutcomeRow>(update, [
      outcome.kind === 'retry' ? 'pending' : outcome.kind,
      outcome.attemptNumber,
      outcome.kind === 'retry' ? (outcome.nextRetryAt?.getTime() ?? null) : null,
      outcome.startedAt.getTime(),
      outcome.error,
      outcome.responseStatus,
      outcome.responseBody,
      outcome.kind === 'delivered' ? outcome.finishedAt.getTime() : null,
      now,
      outcome.eventId,
      outcome.workerId,
      outcome.attemptNumber - 1,
    ]);
    if (row === undefined) {
      const [current] = returnEvents ? yield* all<EventRow>(select, [outcome.eventId]) : [];
      results.push({
        eventId: outcome.eventId,
        applied: false,
        event: current === undefined ? undefined : rowToEvent(current),
        recordedAt,
      });
      continue;
    }
    records.push({ outcome, replayCount: row.replay_count });
    results.push({
      eventId: outcome.eventId,
      applied: true,
      event: returnEvents ? outcomeToEvent(outcome, now, row) : undefined,
      recordedAt,
    });
  }
  yield* insertAttempts(names, records);
  return results;
}
