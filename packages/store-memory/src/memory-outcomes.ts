import type { PreparedOutcome, RecordResult } from '@hooks/core';
import { copyDate, type MemoryState, toEvent } from './memory-rows.js';

/**
 * Applies one checked outcome if the reporting worker still holds the row for that attempt number
 * (pending, `lockedBy === workerId`, `attempts === attemptNumber - 1`); otherwise changes nothing. The result
 * carries a copy of the row unless `returnEvent` is false, and `recordedAt` (a copy of `now`: the row keeps `now` itself).
 */
export function applyOutcome(
  state: MemoryState,
  outcome: PreparedOutcome,
  now: Date,
  recordedAt: Date,
  returnEvent = true,
): RecordResult {
  const row = state.rows.get(outcome.eventId);
  if (
    row === undefined ||
    row.status !== 'pending' ||
    row.lockedBy !== outcome.workerId ||
    row.attempts !== outcome.attemptNumber - 1
  ) {
    const event = row === undefined || !returnEvent ? undefined : toEvent(row);
    return { eventId: outcome.eventId, applied: false, event, recordedAt };
  }
  const attempt = {
    eventId: row.id,
    attemptNumber: outcome.attemptNumber,
    replayCount: row.replayCount,
    startedAt: new Date(outcome.startedAt.getTime()),
    finishedAt: new Date(outcome.finishedAt.getTime()),
    durationMs: outcome.durationMs,
    responseStatus: outcome.responseStatus,
    responseBody: outcome.responseBody,
    error: outcome.error,
    // prepareOutcome already copied the caller's headers into a fresh object: keep that one.
    requestHeaders: outcome.requestHeaders,
    workerId: outcome.workerId,
  };
  state.attempts.push(attempt);
  row.attempts = outcome.attemptNumber;
  // The attempt record's Dates are the store's own copies: the row shares them (never changed in place).
  row.lastAttemptAt = attempt.startedAt;
  row.lastError = outcome.error;
  row.responseStatus = outcome.responseStatus;
  row.responseBody = outcome.responseBody;
  row.lockedBy = null;
  row.lockedUntil = null;
  row.updatedAt = now;
  if (outcome.kind === 'retry') {
    row.status = 'pending';
    row.nextRetryAt = copyDate(outcome.nextRetryAt);
  } else {
    row.status = outcome.kind;
    if (outcome.kind === 'delivered') row.deliveredAt = attempt.finishedAt;
  }
  state.due.file(row);
  return { eventId: row.id, applied: true, event: returnEvent ? toEvent(row) : undefined, recordedAt };
}
