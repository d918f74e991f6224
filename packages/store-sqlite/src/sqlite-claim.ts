import { all, run, type SqlProgram } from './sqlite-executor.js';
import { compareDue } from './sqlite-rows.js';
import type { EventRow, SqliteTableNames } from './sqlite-schema.js';

/*
 * The one place that selects due rows and leases them.
 *
 * A row is due at `now` when it is pending, has attempts left, its `next_retry_at` is null or not after `now`,
 * and it is not under a live lease (`locked_until` null or not after `now`). The generated column
 * `available_at` is the time from which that holds for a row inserted by then (see sqlite-migrations.ts),
 * so selecting due rows is one range scan of the partial index (available_at, id) WHERE status = 'pending':
 * leased rows and rows waiting for a retry sit beyond `now` and are never visited.
 *
 * Rows come back sorted by (`next_retry_at` ?? `inserted_at`, id). Which rows fit under `limit` follows the
 * index order, (available_at, id): the same for every row except one whose lease expired without an
 * outcome, which queues from the end of its lease (like a visibility timeout) rather than from its due time.
 *
 * The range bound is max(now, store clock): a caller's `now` earlier than the clock still finds rows that are
 * due by their public fields (a null `next_retry_at` is due whatever `inserted_at` says); the exact conditions
 * below then filter the range.
 */

/** When the due-ness test runs: the caller's `now` and the range bound (max of `now` and the store clock). */
export interface DueWindow {
  /** The caller's notion of now, in ms. */
  now: number;
  /** max(now, the store's clock), in ms. */
  bound: number;
}

function dueCondition(): string {
  return (
    "status = 'pending' AND available_at <= ? AND attempts < max_attempts " +
    'AND (next_retry_at IS NULL OR next_retry_at <= ?) AND (locked_until IS NULL OR locked_until <= ?)'
  );
}

function dueParams(window: DueWindow): number[] {
  return [window.bound, window.now, window.now];
}

/**
 * SQL of the due selection: rowids of up to `?` due rows in claim order. `INDEXED BY` pins the claim index:
 * without table statistics the planner may prefer the status index and sort every pending row.
 */
function dueRowids(names: SqliteTableNames): string {
  return (
    `SELECT rowid FROM ${names.events} INDEXED BY ${names.claimIndex} ` +
    `WHERE ${dueCondition()} ORDER BY available_at, id LIMIT ?`
  );
}

/** Due rows, oldest first by (`next_retry_at` ?? `inserted_at`, id), at most `limit`. Reads only. */
export function* selectDueRows(
  names: SqliteTableNames,
  window: DueWindow,
  limit: number,
): SqlProgram<EventRow[]> {
  const rows = yield* all<EventRow>(`SELECT * FROM ${names.events} WHERE rowid IN (${dueRowids(names)})`, [
    ...dueParams(window),
    limit,
  ]);
  return rows.sort(compareDue);
}

/** What a lease sets. */
export interface LeaseRequest {
  /** The claiming worker. */
  workerId: string;
  /** When the lease ends, in ms. */
  lockedUntil: number;
  /** The claim's now, written to `updated_at`, in ms. */
  now: number;
}

/**
 * Leases up to `limit` due rows to one worker in a single UPDATE statement, which SQLite runs under its write
 * lock: two connections or processes claiming at once never get the same row. Expired leases are due again,
 * so they are taken over. Returns the leased rows oldest first.
 */
export function* claimDueRows(
  names: SqliteTableNames,
  window: DueWindow,
  limit: number,
  lease: LeaseRequest,
): SqlProgram<EventRow[]> {
  const rows = yield* all<EventRow>(
    `UPDATE ${names.events} SET locked_by = ?, locked_until = ?, updated_at = ? ` +
      `WHERE rowid IN (${dueRowids(names)}) RETURNING *`,
    [lease.workerId, lease.lockedUntil, lease.now, ...dueParams(window), limit],
  );
  // RETURNING gives rows in no promised order.
  return rows.sort(compareDue);
}

/**
 * Leases one row if it is pending and no other worker holds a live lease on it (due or not; the same worker
 * renews its lease). Returns the leased row, or undefined.
 */
export function* claimRowById(
  names: SqliteTableNames,
  id: string,
  lease: LeaseRequest,
): SqlProgram<EventRow | undefined> {
  const rows = yield* all<EventRow>(
    `UPDATE ${names.events} SET locked_by = ?, locked_until = ?, updated_at = ? ` +
      "WHERE id = ? AND status = 'pending' " +
      'AND (locked_by IS NULL OR locked_by = ? OR locked_until IS NULL OR locked_until <= ?) RETURNING *',
    [lease.workerId, lease.lockedUntil, lease.now, id, lease.workerId, lease.now],
  );
  return rows[0];
}

/** Gives a worker's leases on these rows back (due again now); returns how many rows it held. */
export function* releaseRows(
  names: SqliteTableNames,
  ids: readonly string[],
  workerId: string,
  now: number,
): SqlProgram<number> {
  return yield* run(
    `UPDATE ${names.events} SET locked_by = NULL, locked_until = NULL, updated_at = ? ` +
      'WHERE locked_by = ? AND id IN (SELECT value FROM json_each(?))',
    [now, workerId, JSON.stringify(ids)],
  );
}
