import {
  attachPayloadJson,
  type DeliveryAttempt,
  type JsonValue,
  type PreparedEvent,
  type WebhookEvent,
} from '@hooks/core';
import { DueIndex } from './memory-due-index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A stored event row: the event's fields, mutable, with the payload kept as its JSON text (parsed on every read). */
export type MemoryRow = Mutable<Omit<WebhookEvent, 'payload'>> & { payloadJson: string };

/** A stored attempt record. */
export type MemoryAttempt = Mutable<DeliveryAttempt>;

/** Everything one memory store holds. */
export interface MemoryState {
  /** Event rows by id. */
  readonly rows: Map<string, MemoryRow>;
  /** The claimable (pending) rows by when they become due: file a row here after every change to it. */
  readonly due: DueIndex;
  /** Attempt records, oldest first. */
  attempts: MemoryAttempt[];
  /** Event ids by idempotency key. */
  readonly keys: Map<string, string>;
}

/** An empty state. */
export function createMemoryState(): MemoryState {
  return { rows: new Map(), due: new DueIndex(), attempts: [], keys: new Map() };
}

/** A copy of a Date, or null. */
export function copyDate(value: Date | null): Date | null {
  return value === null ? null : new Date(value.getTime());
}

/**
 * A new row from an event checked by `prepareNewEvent`. The row takes the Dates `prepareNewEvent` made
 * (insert time, lease end) as they are: a row's Dates are replaced, never changed in place, and every read
 * copies them. `nextRetryAt` is the caller's own Date, so it is copied.
 */
export function rowFromPrepared(prepared: PreparedEvent): MemoryRow {
  return {
    id: prepared.id,
    eventType: prepared.eventType,
    payloadJson: prepared.payloadJson,
    targetUrl: prepared.targetUrl,
    status: prepared.status,
    attempts: 0,
    maxAttempts: prepared.maxAttempts,
    nextRetryAt: copyDate(prepared.nextRetryAt),
    lastAttemptAt: null,
    lastError: prepared.lastError,
    responseStatus: null,
    responseBody: null,
    deliveredAt: null,
    insertedAt: prepared.insertedAt,
    updatedAt: prepared.insertedAt,
    replayCount: 0,
    lockedBy: prepared.lockedBy,
    lockedUntil: prepared.lockedUntil,
    idempotencyKey: prepared.idempotencyKey,
  };
}

/**
 * A detached copy of a row as a `WebhookEvent` (mutating it never changes the store). `payload`, when given,
 * must be a fresh value nobody else holds (a new row's `PreparedEvent.payload`): it saves parsing the text again.
 */
export function toEvent(row: MemoryRow, payload?: JsonValue): WebhookEvent {
  return {
    id: row.id,
    eventType: row.eventType,
    payload: payload === undefined ? (JSON.parse(row.payloadJson) as JsonValue) : payload,
    targetUrl: row.targetUrl,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    nextRetryAt: copyDate(row.nextRetryAt),
    lastAttemptAt: copyDate(row.lastAttemptAt),
    lastError: row.lastError,
    responseStatus: row.responseStatus,
    responseBody: row.responseBody,
    deliveredAt: copyDate(row.deliveredAt),
    insertedAt: new Date(row.insertedAt.getTime()),
    updatedAt: new Date(row.updatedAt.getTime()),
    replayCount: row.replayCount,
    lockedBy: row.lockedBy,
    lockedUntil: copyDate(row.lockedUntil),
    idempotencyKey: row.idempotencyKey,
  };
}

/**
 * `toEvent` with the stored payload text attached (`attachPayloadJson`), for rows the engine may deliver
 * (inserted and claimed ones): every attempt sends exactly those bytes without serialising the row again.
 */
export function toDeliverableEvent(row: MemoryRow, payload?: JsonValue): WebhookEvent {
  return attachPayloadJson(toEvent(row, payload), row.payloadJson);
}

/** A detached copy of an attempt record. */
export function toAttempt(attempt: MemoryAttempt): DeliveryAttempt {
  return {
    ...attempt,
    startedAt: new Date(attempt.startedAt.getTime()),
    finishedAt: new Date(attempt.finishedAt.getTime()),
    requestHeaders: attempt.requestHeaders === null ? null : { ...attempt.requestHeaders },
  };
}
