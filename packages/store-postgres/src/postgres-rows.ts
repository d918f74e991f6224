import type {
  DeliveryAttempt,
  DeliveryStatus,
  JsonValue,
  PreparedEvent,
  PreparedOutcome,
  WebhookEvent,
} from '@hooks/core';
import type { Selectable } from 'kysely';
import type { HooksAttemptsTable, HooksEventsTable } from './postgres-schema.js';

/** A `hooks_events` row as pg returns it. */
export type EventRow = Selectable<HooksEventsTable>;

/** A `hooks_attempts` row as pg returns it. */
export type AttemptRow = Selectable<HooksAttemptsTable>;

/** A timestamptz value as a Date (pg parses them to Dates unless a caller changed its type parsers). */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A nullable timestamptz value as a Date or null. */
export function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}

/** Maps a `hooks_events` row to the `WebhookEvent` the store contract returns. */
export function toWebhookEvent(row: EventRow): WebhookEvent {
  return {
    id: row.id,
    eventType: row.event_type,
    payload: row.payload as JsonValue,
    targetUrl: row.target_url,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextRetryAt: toDateOrNull(row.next_retry_at),
    lastAttemptAt: toDateOrNull(row.last_attempt_at),
    lastError: row.last_error,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    deliveredAt: toDateOrNull(row.delivered_at),
    insertedAt: toDate(row.inserted_at),
    updatedAt: toDate(row.updated_at),
    replayCount: row.replay_count,
    lockedBy: row.locked_by,
    lockedUntil: toDateOrNull(row.locked_until),
    idempotencyKey: row.idempotency_key,
  };
}

/** Maps a `hooks_attempts` row to a `DeliveryAttempt`. */
export function toDeliveryAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    eventId: row.event_id,
    attemptNumber: row.attempt_number,
    replayCount: row.replay_count,
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
    durationMs: row.duration_ms,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    error: row.error,
    requestHeaders: (row.request_headers ?? null) as Record<string, string> | null,
    workerId: row.worker_id,
  };
}

/** A text (or null) as a JSON value, for a batch sent as one JSON parameter. */
export function jsonText(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/** An event id as a JSON string: ids are checked to be letters, digits, `_` and `-`, so nothing needs escaping. */
export function jsonId(id: string): string {
  return `"${id}"`;
}

/** The last two times `jsonTime` formatted (a batch's rows share their insert time and lease end). */
const recentTimes: { ms: number; text: string }[] = [
  { ms: Number.NaN, text: '' },
  { ms: Number.NaN, text: '' },
];
let nextRecent = 0;

/** A time (or null) as a JSON value (an ISO string, which `timestamptz` reads exactly to the millisecond). */
export function jsonTime(value: Date | null): string {
  if (value === null) return 'null';
  const ms = value.getTime();
  for (const recent of recentTimes) if (recent.ms === ms) return recent.text;
  const text = `"${value.toISOString()}"`;
  recentTimes[nextRecent] = { ms, text };
  nextRecent = 1 - nextRecent;
  return text;
}

function copy(value: Date | null): Date | null {
  return value === null ? null : new Date(value.getTime());
}

/**
 * The row an INSERT just created, from what it wrote: every column is the prepared event's except the
 * payload, which comes back from JSONB (its key order, as every later read shows it).
 */
export function insertedEvent(event: PreparedEvent, payload: unknown): WebhookEvent {
  return {
    id: event.id,
    eventType: event.eventType,
    payload: payload as JsonValue,
    targetUrl: event.targetUrl,
    status: event.status,
    attempts: 0,
    maxAttempts: event.maxAttempts,
    nextRetryAt: copy(event.nextRetryAt),
    lastAttemptAt: null,
    lastError: event.lastError,
    responseStatus: null,
    responseBody: null,
    deliveredAt: null,
    insertedAt: new Date(event.insertedAt.getTime()),
    updatedAt: new Date(event.insertedAt.getTime()),
    replayCount: 0,
    lockedBy: event.lockedBy,
    lockedUntil: copy(event.lockedUntil),
    idempotencyKey: event.idempotencyKey,
  };
}

/** What an applied outcome's UPDATE returns: the columns the outcome did not set. */
export type OutcomeRow = Pick<
  EventRow,
  | 'id'
  | 'event_type'
  | 'payload'
  | 'target_url'
  | 'max_attempts'
  | 'next_retry_at'
  | 'delivered_at'
  | 'inserted_at'
  | 'replay_count'
  | 'idempotency_key'
>;

/** The row after `outcome` applied at `now`: the outcome's columns, the rest from the UPDATE's `RETURNING`. */
export function outcomeEvent(outcome: PreparedOutcome, now: Date, row: OutcomeRow): WebhookEvent {
  return {
    id: row.id,
    eventType: row.event_type,
    payload: row.payload as JsonValue,
    targetUrl: row.target_url,
    status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
    attempts: outcome.attemptNumber,
    maxAttempts: row.max_attempts,
    nextRetryAt: toDateOrNull(row.next_retry_at),
    lastAttemptAt: new Date(outcome.startedAt.getTime()),
    lastError: outcome.error,
    responseStatus: outcome.responseStatus,
    responseBody: outcome.responseBody,
    deliveredAt: toDateOrNull(row.delivered_at),
    insertedAt: toDate(row.inserted_at),
    updatedAt: new Date(now.getTime()),
    replayCount: row.replay_count,
    lockedBy: null,
    lockedUntil: null,
    idempotencyKey: row.idempotency_key,
  };
}
