import type { WebhookEvent } from '@hooks/core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type EventRow, toWebhookEvent } from './postgres-rows.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

/** A checked claim request. */
export interface ClaimRequest {
  /** The claiming worker. */
  workerId: string;
  /** At most this many rows. */
  limit: number;
  /** The claim's notion of now. */
  now: Date;
  /** Upper end of the index range scan: the later of `now` and the store's clock. */
  bound: Date;
  /** When the lease ends. */
  lockedUntil: Date;
}

/**
 * Leases up to `limit` due rows to one worker in one statement and returns them oldest first by
 * (`next_retry_at` or `inserted_at`, id).
 *
 * Due at `now` means: pending, attempts left, `next_retry_at` null or not after `now`, and no live lease
 * (`locked_until` null or not after `now`). `available_at` is the time from which that holds (the due
 * time, or the lease expiry while leased), so the selection is one range scan of the partial index
 * (available_at, id) WHERE status = 'pending': leased rows and rows waiting for a retry lie beyond the
 * bound and are never visited, however many rows the table holds. The bound is the later of `now` and the
 * store clock, so a caller's `now` earlier than the insert time still finds rows that are due by their
 * public fields (a null `next_retry_at` is due whatever `inserted_at` says); the exact conditions filter the
 * range. `FOR UPDATE SKIP LOCKED` lets any number of workers claim at once: none waits for another and no
 * row is taken twice (a row another claim just leased fails the re-checked conditions). The UPDATE finds the
 * chosen rows through `id = any(array(...))`, a primary-key lookup each, never a scan of the table.
 */
export async function claimDueRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  request: ClaimRequest,
): Promise<WebhookEvent[]> {
  const { rows } = await claimDueQuery(context, request).execute(db);
  return rows.map(toWebhookEvent);
}

/** The claim statement of `claimDueRows` (exported so tests can EXPLAIN it). */
export function claimDueQuery(context: PostgresContext, request: ClaimRequest): RawBuilder<EventRow> {
  const { events } = context;
  const { now } = request;
  return sql<EventRow>`
    with due as (
      select id
      from ${events}
      where status = 'pending' and available_at <= ${request.bound} and attempts < max_attempts
        and (next_retry_at is null or next_retry_at <= ${now})
        and (locked_until is null or locked_until <= ${now})
      order by available_at, id
      limit ${request.limit}
      for update skip locked
    ), claimed as (
      update ${events} as e
      set locked_by = ${request.workerId}, locked_until = ${request.lockedUntil},
          available_at = ${request.lockedUntil}, updated_at = ${now}
      where e.id = any(array(select id from due))
      returning e.*
    )
    select * from claimed order by coalesce(next_retry_at, inserted_at), id`;
}

/** A checked claim-by-id request. */
export interface ClaimByIdRequest {
  /** The event. */
  id: string;
  /** The claiming worker. */
  workerId: string;
  /** The claim's notion of now. */
  now: Date;
  /** When the lease ends. */
  lockedUntil: Date;
}

/**
 * Leases one pending row, due or not, unless another worker holds a live lease on it (the same worker may
 * renew its own). Returns undefined when the row does not exist, is terminal, or is leased elsewhere.
 */
export async function claimRowById(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  request: ClaimByIdRequest,
): Promise<WebhookEvent | undefined> {
  const { events } = context;
  const { rows } = await sql<EventRow>`
    update ${events}
    set locked_by = ${request.workerId}, locked_until = ${request.lockedUntil},
        available_at = greatest(${request.lockedUntil}::timestamptz, coalesce(next_retry_at, inserted_at)),
        updated_at = ${request.now}
    where id = ${request.id} and status = 'pending'
      and (locked_until is null or locked_until <= ${request.now} or locked_by = ${request.workerId})
    returning *`.execute(db);
  return rows[0] === undefined ? undefined : toWebhookEvent(rows[0]);
}

/** A checked release request. */
export interface ReleaseRequest {
  /** The rows to give back. */
  ids: readonly string[];
  /** Only rows this worker leases are released. */
  workerId: string;
  /** The release's notion of now. */
  now: Date;
}

/**
 * Gives rows leased by `workerId` back untouched (attempts and retry time unchanged): a row that was due
 * is due again at once. Wakes other instances when the statement commits. Returns how many were released.
 */
export async function releaseRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  request: ReleaseRequest,
): Promise<number> {
  if (request.ids.length === 0) return 0;
  const { events, notify } = context;
  const { rows } = await sql<{ released: number }>`
    with released as (
      update ${events}
      set locked_by = null, locked_until = null, available_at = coalesce(next_retry_at, inserted_at),
          updated_at = ${request.now}
      where id = any(${request.ids}::text[]) and locked_by = ${request.workerId}
      returning id
    )
    select count(*)::int as released, (select ${notify} from released limit 1) is null as notified
    from released`.execute(db);
  return rows[0]?.released ?? 0;
}
