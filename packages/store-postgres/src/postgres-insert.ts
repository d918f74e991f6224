import { ConflictError, type InsertResult, type PreparedEvent } from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import { type EventRow, toWebhookEvent } from './postgres-rows.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

/** How often an insert is retried when a row it conflicted with vanished before it could be read. */
const MAX_ROUNDS = 3;

async function insertRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  batch: readonly PreparedEvent[],
): Promise<EventRow[]> {
  const { events, notify } = context;
  const column = <T>(pick: (event: PreparedEvent) => T): T[] => batch.map(pick);
  // One statement whatever the batch size: arrays are one parameter each, unnest turns them into rows.
  // ON CONFLICT (idempotency_key) DO NOTHING leaves an existing row (or an earlier one in this batch) alone.
  const query = sql<EventRow>`
    with input as (
      select * from unnest(
        ${column((e) => e.id)}::text[], ${column((e) => e.eventType)}::text[],
        ${column((e) => e.payloadJson)}::text[], ${column((e) => e.targetUrl)}::text[],
        ${column((e) => e.status)}::text[], ${column((e) => e.maxAttempts)}::int[],
        ${column((e) => e.nextRetryAt)}::timestamptz[], ${column((e) => e.lastError)}::text[],
        ${column((e) => e.idempotencyKey)}::text[], ${column((e) => e.insertedAt)}::timestamptz[],
        ${column((e) => e.lockedBy)}::text[], ${column((e) => e.lockedUntil)}::timestamptz[]
      ) with ordinality as i(id, event_type, payload, target_url, status, max_attempts, next_retry_at,
                              last_error, idempotency_key, inserted_at, locked_by, locked_until, ord)
    ), inserted as (
      insert into ${events} (id, event_type, payload, target_url, status, max_attempts, next_retry_at,
        available_at, last_error, inserted_at, updated_at, locked_by, locked_until, idempotency_key)
      select id, event_type, payload::jsonb, target_url, status, max_attempts, next_retry_at,
        greatest(coalesce(next_retry_at, inserted_at), locked_until), last_error, inserted_at, inserted_at,
        locked_by, locked_until, idempotency_key
      from input order by ord
      on conflict (idempotency_key) do nothing
      returning *
    )
    select inserted.*, ${notify} as notified from inserted`;
  try {
    return (await query.execute(db)).rows;
  } catch (error) {
    const failure = error as { code?: unknown; constraint?: unknown; detail?: unknown };
    if (failure.code !== '23505' || failure.constraint !== 'hooks_events_pkey') throw error;
    const id = /\(id\)=\((.*)\)/.exec(String(failure.detail))?.[1] ?? batch[0]?.id;
    throw new ConflictError(`an event with id ${id} already exists`, {
      cause: error,
      details: { field: 'id', id },
    });
  }
}

async function rowsByKey(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  keys: readonly string[],
): Promise<Map<string, EventRow>> {
  const { rows } = await sql<EventRow>`
    select * from ${context.events} where idempotency_key = any(${keys}::text[])`.execute(db);
  return new Map(rows.map((row) => [row.idempotency_key as string, row]));
}

/**
 * Inserts checked events; an event whose idempotency key is taken returns the existing row with
 * `created: false`. Results follow the input order. Wakes other instances (NOTIFY) when a row was created.
 * Runs in the caller's transaction when `db` is one.
 */
export async function insertEvents(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  prepared: readonly PreparedEvent[],
): Promise<InsertResult[]> {
  const results = new Array<InsertResult | undefined>(prepared.length);
  let remaining = prepared.map((event, index) => ({ event, index }));
  for (let round = 0; round < MAX_ROUNDS && remaining.length > 0; round++) {
    const rows = await insertRows(
      db,
      context,
      remaining.map((item) => item.event),
    );
    const created = new Map(rows.map((row) => [row.id, row]));
    const byKey = new Map(
      rows.flatMap((row) => (row.idempotency_key === null ? [] : [[row.idempotency_key, row]])),
    );
    const missing = remaining
      .map((item) => item.event.idempotencyKey)
      .filter((key): key is string => key !== null && !byKey.has(key));
    if (missing.length > 0)
      for (const [key, row] of await rowsByKey(db, context, missing)) byKey.set(key, row);
    const next: typeof remaining = [];
    for (const item of remaining) {
      const fresh = created.get(item.event.id);
      if (fresh !== undefined) {
        // Each created row answers the first event that made it; a later duplicate gets created: false.
        created.delete(item.event.id);
        results[item.index] = { event: toWebhookEvent(fresh), created: true };
        continue;
      }
      const found = item.event.idempotencyKey === null ? undefined : byKey.get(item.event.idempotencyKey);
      if (found !== undefined) results[item.index] = { event: toWebhookEvent(found), created: false };
      else next.push(item);
    }
    remaining = next;
  }
  if (remaining.length > 0) {
    throw new ConflictError('insert conflicted with rows that were deleted while it ran; try again');
  }
  return results as InsertResult[];
}
