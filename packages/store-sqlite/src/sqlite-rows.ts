import {
  attachPayloadJson,
  type DeliveryAttempt,
  type DeliveryStatus,
  type JsonValue,
  type PreparedEvent,
  type PreparedOutcome,
  type WebhookEvent,
} from '@hooks/core';
import type { AttemptRow, EventRow } from './sqlite-schema.js';

function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/**
 * Maps an event row (integer-millisecond times, JSON text) to a `WebhookEvent`, with the stored payload text
 * attached (`attachPayloadJson`): the engine sends exactly those bytes on every attempt.
 */
export function rowToEvent(row: EventRow): WebhookEvent {
  return attachPayloadJson<WebhookEvent>(
    {
      id: row.id,
      eventType: row.event_type,
      payload: JSON.parse(row.payload) as JsonValue,
      targetUrl: row.target_url,
      status: row.status as DeliveryStatus,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      nextRetryAt: toDate(row.next_retry_at),
      lastAttemptAt: toDate(row.last_attempt_at),
      lastError: row.last_error,
      responseStatus: row.response_status,
      responseBody: row.response_body,
      deliveredAt: toDate(row.delivered_at),
      insertedAt: new Date(row.inserted_at),
      updatedAt: new Date(row.updated_at),
      replayCount: row.replay_count,
      lockedBy: row.locked_by,
      lockedUntil: toDate(row.locked_until),
      idempotencyKey: row.idempotency_key,
    },
    row.payload,
  );
}

/** Maps an attempt row to a `DeliveryAttempt`. */
export function rowToAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    eventId: row.event_id,
    attemptNumber: row.attempt_number,
    replayCount: row.replay_count,
    startedAt: new Date(row.started_at),
    finishedAt: new Date(row.finished_at),
    durationMs: row.duration_ms,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    error: row.error,
    requestHeaders:
      row.request_headers === null ? null : (JSON.parse(row.request_headers) as Record<string, string>),
    workerId: row.worker_id,
  };
}

/** The event a freshly inserted prepared event became (what the INSERT wrote, without reading it back). */
export function preparedToEvent(event: PreparedEvent): WebhookEvent {
  return attachPayloadJson<WebhookEvent>(
    {
      id: event.id,
      eventType: event.eventType,
      payload: event.payload,
      targetUrl: event.targetUrl,
      status: event.status,
      attempts: 0,
      maxAttempts: event.maxAttempts,
      nextRetryAt: event.nextRetryAt,
      lastAttemptAt: null,
      lastError: event.lastError,
      responseStatus: null,
      responseBody: null,
      deliveredAt: null,
      insertedAt: event.insertedAt,
      updatedAt: event.insertedAt,
      replayCount: 0,
      lockedBy: event.lockedBy,
      lockedUntil: event.lockedUntil,
      idempotencyKey: event.idempotencyKey,
    },
    event.payloadJson,
  );
}

/** Column list of an event INSERT, matching `preparedToParams`. */
export const INSERT_COLUMNS =
  'id, event_type, payload, target_url, status, attempts, max_attempts, next_retry_at, last_error, ' +
  'inserted_at, updated_at, replay_count, locked_by, locked_until, idempotency_key';

/** Parameters of an event INSERT, in `INSERT_COLUMNS` order. */
export function preparedToParams(event: PreparedEvent): (string | number | null)[] {
  const inserted = event.insertedAt.getTime();
  return [
    event.id,
    event.eventType,
    event.payloadJson,
    event.targetUrl,
    event.status,
    0,
    event.maxAttempts,
    event.nextRetryAt?.getTime() ?? null,
    event.lastError,
    inserted,
    inserted,
    0,
    event.lockedBy,
    event.lockedUntil?.getTime() ?? null,
    event.idempotencyKey,
  ];
}

/** Orders due rows oldest first: by due time (`next_retry_at`, else `inserted_at`), then id. */
export function compareDue(a: EventRow, b: EventRow): number {
  const dueA = a.next_retry_at ?? a.inserted_at;
  const dueB = b.next_retry_at ?? b.inserted_at;
  if (dueA !== dueB) return dueA - dueB;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** What an applied outcome's UPDATE returns: the columns the outcome did not set (see `OUTCOME_RETURNING`). */
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

/** The `RETURNING` list of an outcome's UPDATE, matching `OutcomeRow`. */
export const OUTCOME_RETURNING =
  'id, event_type, payload, target_url, max_attempts, next_retry_at, delivered_at, inserted_at, ' +
  'replay_count, idempotency_key';

/** The row after `outcome` applied at `now` (ms): the outcome's columns, the rest from the UPDATE's `RETURNING`. */
export function outcomeToEvent(outcome: PreparedOutcome, now: number, row: OutcomeRow): WebhookEvent {
  return {
    id: row.id,
    eventType: row.event_type,
    payload: JSON.parse(row.payload) as JsonValue,
    targetUrl: row.target_url,
    status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
    attempts: outcome.attemptNumber,
    maxAttempts: row.max_attempts,
    nextRetryAt: toDate(row.next_retry_at),
    lastAttemptAt: new Date(outcome.startedAt.getTime()),
    lastError: outcome.error,
    responseStatus: outcome.responseStatus,
    responseBody: outcome.responseBody,
    deliveredAt: toDate(row.delivered_at),
    insertedAt: new Date(row.inserted_at),
    updatedAt: new Date(now),
    replayCount: row.replay_count,
    lockedBy: null,
    lockedUntil: null,
    idempotencyKey: row.idempotency_key,
  };
}
