import type { Generated } from 'kysely';

/** The event table as kysely sees it (times are integer milliseconds since the epoch). */
export interface EventsTable {
  /** Time-sortable event id (primary key). */
  id: string;
  /** The event type. */
  event_type: string;
  /** The payload as JSON text. */
  payload: string;
  /** Receiver URL or null. */
  target_url: string | null;
  /** `pending`, `delivered`, `failed` or `skipped`. */
  status: string;
  /** Attempts made since the last replay. */
  attempts: number;
  /** Attempts allowed. */
  max_attempts: number;
  /** When the next attempt is due; null means due now. */
  next_retry_at: number | null;
  /** Generated: when a pending row may next be claimed (an index accelerator; never written directly). */
  available_at: Generated<number>;
  /** When the last attempt started. */
  last_attempt_at: number | null;
  /** Last error or skip reason. */
  last_error: string | null;
  /** Last HTTP status. */
  response_status: number | null;
  /** Start of the last response body. */
  response_body: string | null;
  /** When the event was delivered. */
  delivered_at: number | null;
  /** When the row was inserted. */
  inserted_at: number;
  /** When the row last changed. */
  updated_at: number;
  /** How many times the event was replayed. */
  replay_count: number;
  /** Worker holding the lease. */
  locked_by: string | null;
  /** When the lease expires. */
  locked_until: number | null;
  /** Caller's idempotency key (unique). */
  idempotency_key: string | null;
}

/** The attempt table as kysely sees it. */
export interface AttemptsTable {
  /** Autoincrement id: attempts sort by it in insertion order. */
  id: Generated<number>;
  /** The event (cascade-deleted with it). */
  event_id: string;
  /** 1 for the first attempt since the last replay. */
  attempt_number: number;
  /** The event's replay count when the attempt was made. */
  replay_count: number;
  /** When the request started. */
  started_at: number;
  /** When it finished. */
  finished_at: number;
  /** Wall time in milliseconds. */
  duration_ms: number;
  /** HTTP status or null. */
  response_status: number | null;
  /** Start of the response body. */
  response_body: string | null;
  /** Why the attempt failed. */
  error: string | null;
  /** The request headers as JSON text. */
  request_headers: string | null;
  /** The worker that made the attempt. */
  worker_id: string | null;
}

/**
 * The store's tables under their default names. With another `tablePrefix` the runtime names differ; queries
 * cast the runtime name to these keys (the columns are the same).
 */
export interface SqliteHooksDatabase {
  /** Events, one row per event lifecycle. */
  hooks_events: EventsTable;
  /** Attempt records. */
  hooks_attempts: AttemptsTable;
}

/** One event row as SQLite returns it. */
export type EventRow = {
  [K in keyof EventsTable]: EventsTable[K] extends Generated<infer T> ? T : EventsTable[K];
};

/** One attempt row as SQLite returns it. */
export type AttemptRow = {
  [K in keyof AttemptsTable]: AttemptsTable[K] extends Generated<infer T> ? T : AttemptsTable[K];
};

/** The runtime names of the store's tables and indexes for one table prefix. */
export interface SqliteTableNames {
  /** The event table. */
  events: 'hooks_events';
  /** The attempt table. */
  attempts: 'hooks_attempts';
  /** The partial index claiming scans (pending rows by `available_at`, id). */
  claimIndex: string;
  /** kysely's migration table for this store. */
  migrations: string;
  /** kysely's migration lock table for this store. */
  migrationsLock: string;
  /** The prefix itself (also used for index names). */
  prefix: string;
}

/** Default prefix of every table and index the store creates. */
export const DEFAULT_TABLE_PREFIX = 'hooks_';

/** The largest time value; `available_at` of a row that can never be claimed again. */
export const NEVER_AVAILABLE = Number.MAX_SAFE_INTEGER;

/** Table names for a prefix (already validated as an identifier). */
export function tableNames(prefix: string): SqliteTableNames {
  return Object.freeze({
    // The cast keeps kysely's column types while the runtime table name carries the prefix.
    events: `${prefix}events` as 'hooks_events',
    attempts: `${prefix}attempts` as 'hooks_attempts',
    claimIndex: `${prefix}events_claim_idx`,
    migrations: `${prefix}migrations`,
    migrationsLock: `${prefix}migrations_lock`,
    prefix,
  });
}
