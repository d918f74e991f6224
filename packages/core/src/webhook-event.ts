import type { DeliveryStatus } from './delivery-status.js';
import type { JsonValue } from './json.js';

/** One row per event lifecycle: what to send, where, and how its delivery went. */
export interface WebhookEvent {
  /** Time-sortable id, stable across retries: the `webhook-id` a receiver de-duplicates on. */
  readonly id: string;
  /** The event's type, e.g. `campaign_status_change`. */
  readonly eventType: string;
  /** The JSON body sent to the receiver. */
  readonly payload: JsonValue;
  /** Where the event goes; null when no target was configured (such rows are `skipped`). */
  readonly targetUrl: string | null;
  /** Lifecycle status. */
  readonly status: DeliveryStatus;
  /** HTTP attempts made so far (since the last replay). */
  readonly attempts: number;
  /** Attempts allowed before the event becomes `failed`. */
  readonly maxAttempts: number;
  /** When the next attempt is due; null means due now. */
  readonly nextRetryAt: Date | null;
  /** When the last attempt started. */
  readonly lastAttemptAt: Date | null;
  /** Why the last attempt failed or why the event was skipped (never contains a secret). */
  readonly lastError: string | null;
  /** HTTP status of the last response, if one came back. */
  readonly responseStatus: number | null;
  /** Start of the last response body (capped). */
  readonly responseBody: string | null;
  /** When the event was delivered. */
  readonly deliveredAt: Date | null;
  /** When the row was inserted. */
  readonly insertedAt: Date;
  /** When the row last changed. */
  readonly updatedAt: Date;
  /** How many times the event was replayed. */
  readonly replayCount: number;
  /** Worker holding the delivery lease, or null. */
  readonly lockedBy: string | null;
  /** When the current lease expires; after it another worker may claim the row. */
  readonly lockedUntil: Date | null;
  /** Caller-chosen key that makes enqueueing idempotent, or null. */
  readonly idempotencyKey: string | null;
}

/** A lease taken on a row at insert, so the inserting process delivers it first (sync mode, hand-off). */
export interface InsertLease {
  /** The worker that will deliver the row. */
  workerId: string;
  /** How long the lease lasts, in milliseconds. */
  leaseMs: number;
}

/** What a caller gives a store to insert an event. */
export interface NewWebhookEvent {
  /** Optional id (letters, digits, `_`, `-`; at most 64); a time-sortable id is generated otherwise. */
  id?: string;
  /** Non-empty event type (at most 200 characters). */
  eventType: string;
  /** A JSON-serialisable payload. */
  payload: unknown;
  /** The receiver's URL; null or absent when none is configured. */
  targetUrl?: string | null;
  /** Attempts allowed (1 to 100); default 8. */
  maxAttempts?: number;
  /** When the first attempt is due; default now. */
  nextRetryAt?: Date | null;
  /** Caller's idempotency key: inserting the same key again returns the first row. */
  idempotencyKey?: string | null;
  /** Insert directly as `skipped` (e.g. no target configured), with `reason` in `lastError`. */
  skip?: { reason: string };
  /** Lease the new row to this worker straight away. */
  lease?: InsertLease;
}

/** What an insert did: the row, and whether it was created now or already existed (idempotency key). */
export interface InsertResult {
  /** The stored row. */
  event: WebhookEvent;
  /** False when a row with the same idempotency key already existed and was returned instead. */
  created: boolean;
}
