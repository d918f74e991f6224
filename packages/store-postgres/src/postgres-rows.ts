import type { DeliveryAttempt, DeliveryStatus, JsonValue, WebhookEvent } from '@hooks/core';
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
