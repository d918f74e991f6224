import type { ColumnType, Generated, RawBuilder } from 'kysely';

/** A `timestamptz` column: read as a Date (or an ISO string if a caller changed pg's type parsers), written as a Date. */
export type Timestamp = ColumnType<Date | string, Date, Date>;

/** A `jsonb` column: read parsed, written as JSON text (cast with `::jsonb`). */
export type Jsonb = ColumnType<unknown, string, string>;

/** The `hooks_events` table: one row per event lifecycle. */
export interface HooksEventsTable {
  /** Time-sortable event id (primary key). */
  id: string;
  /** The event's type. */
  event_type: string;
  /** The JSON body (JSONB: key order is not preserved). */
  payload: Jsonb;
  /** Receiver URL or null. */
  target_url: string | null;
  /** `pending`, `delivered`, `failed` or `skipped` (CHECK constraint). */
  status: string;
  /** Attempts made since the last replay. */
  attempts: Generated<number>;
  /** Attempts allowed. */
  max_attempts: number;
  /** When the next attempt is due; null means due now. */
  next_retry_at: Timestamp | null;
  /** When the row is next claimable: the due time, or the lease expiry while leased (claim index key). */
  available_at: Timestamp;
  /** When the last attempt started. */
  last_attempt_at: Timestamp | null;
  /** Why the last attempt failed, or the skip reason. */
  last_error: string | null;
  /** HTTP status of the last response. */
  response_status: number | null;
  /** Start of the last response body. */
  response_body: string | null;
  /** When the event was delivered. */
  delivered_at: Timestamp | null;
  /** When the row was inserted. */
  inserted_at: Timestamp;
  /** When the row last changed. */
  updated_at: Timestamp;
  /** How many times the event was replayed. */
  replay_count: Generated<number>;
  /** Worker holding the lease. */
  locked_by: string | null;
  /** When the lease expires. */
  locked_until: Timestamp | null;
  /** Caller's idempotency key (unique when not null). */
  idempotency_key: string | null;
}

/** The `hooks_attempts` table: one row per HTTP attempt. */
export interface HooksAttemptsTable {
  /** Serial id: insertion order. */
  id: Generated<string>;
  /** The event (no foreign key: `prune` deletes attempts with their event). */
  event_id: string;
  /** 1-based attempt number since the last replay. */
  attempt_number: number;
  /** The event's replay count at the time of the attempt. */
  replay_count: number;
  /** When the request started. */
  started_at: Timestamp;
  /** When it finished. */
  finished_at: Timestamp;
  /** Wall time in milliseconds. */
  duration_ms: number;
  /** HTTP status, if a response came back. */
  response_status: number | null;
  /** Start of the response body. */
  response_body: string | null;
  /** Why the attempt failed. */
  error: string | null;
  /** Headers that were sent. */
  request_headers: Jsonb | null;
  /** The worker that made the attempt. */
  worker_id: string | null;
}

/** The tables the store owns, as kysely sees them (inside the configured schema). */
export interface HooksDatabase {
  /** Event rows. */
  hooks_events: HooksEventsTable;
  /** Attempt records. */
  hooks_attempts: HooksAttemptsTable;
}

/** What every query helper needs besides a connection: the schema-qualified names of the store's objects. */
export interface PostgresContext {
  /** The schema holding the tables (for query-builder queries: `db.withSchema(schema)`). */
  schema: string;
  /** `"schema"."hooks_events"` for raw SQL. */
  events: RawBuilder<unknown>;
  /** `"schema"."hooks_attempts"` for raw SQL. */
  attempts: RawBuilder<unknown>;
  /** `pg_notify(channel, instanceId)`: wakes other instances when the transaction commits. */
  notify: RawBuilder<unknown>;
}
