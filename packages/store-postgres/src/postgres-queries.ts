import {
  type DeliveryAttempt,
  type EventPage,
  encodeCursor,
  type NormalisedListQuery,
  type WebhookEvent,
} from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import { NOT_DELIVERED, statusIndexTerm } from './postgres-lean-writes.js';
import { toDeliveryAttempt, toWebhookEvent } from './postgres-rows.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

/** The row with this id, or undefined. */
export async function rowById(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  id: string,
): Promise<WebhookEvent | undefined> {
  const row = await db
    .withSchema(context.schema)
    .selectFrom('hooks_events')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toWebhookEvent(row);
}

/** The SELECT of `listRows`: rows matching the filters, ordered by id, after the cursor (exported so tests can EXPLAIN it). */
export function listQuery(db: Kysely<HooksDatabase>, context: PostgresContext, query: NormalisedListQuery) {
  let select = db.withSchema(context.schema).selectFrom('hooks_events').selectAll();
  if (query.statuses !== null) {
    select = select.where('status', 'in', query.statuses);
    const indexTerm = statusIndexTerm(query.statuses);
    if (indexTerm !== undefined) select = select.where(indexTerm);
  }
  if (query.eventTypes !== null) select = select.where('event_type', 'in', query.eventTypes);
  if (query.since !== null) select = select.where('inserted_at', '>=', query.since);
  if (query.until !== null) select = select.where('inserted_at', '<', query.until);
  if (query.afterId !== null) select = select.where('id', query.order === 'asc' ? '>' : '<', query.afterId);
  // The id column is `collate "C"`: pages follow byte order, as in every other store.
  return select.orderBy('id', query.order).limit(query.limit + 1);
}

/** One page of rows matching the filters, ordered by id, after the cursor. */
export async function listRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  query: NormalisedListQuery,
): Promise<EventPage> {
  const rows = await listQuery(db, context, query).execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toWebhookEvent),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.id) : null,
  };
}

/**
 * Row counts per status (statuses with no rows are absent). The status index holds every row but the
 * delivered ones: those are all rows minus the others, counted in one statement (one snapshot).
 */
export async function countRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
): Promise<Map<string, number>> {
  const { events } = context;
  const { rows } = await sql<{ status: string; count: number }>`
    with others as (
      select status, count(*)::int as count from ${events} where ${NOT_DELIVERED} group by status
    )
    select status, count from others
    union all
    select 'delivered', ((select count(*) from ${events}) - (select coalesce(sum(count), 0) from others))::int`.execute(
    db,
  );
  return new Map(rows.filter((row) => row.count > 0).map((row) => [row.status, row.count]));
}

/** Attempt records of one event, oldest first. */
export async function listAttemptRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  eventId: string,
): Promise<DeliveryAttempt[]> {
  const rows = await db
    .withSchema(context.schema)
    .selectFrom('hooks_attempts')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('id')
    .execute();
  return rows.map(toDeliveryAttempt);
}

/**
 * Pending rows with attempts left, `next_retry_at` null or not after `now`, and no live lease; oldest first
 * by (`next_retry_at` or `inserted_at`, id). Read only: nothing is leased. `bound` (the later of `now` and
 * the store clock) limits the scan of the claim index, as in claiming; the exact conditions decide.
 */
export async function listDueRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  now: Date,
  bound: Date,
  limit: number,
): Promise<WebhookEvent[]> {
  const rows = await db
    .withSchema(context.schema)
    .selectFrom('hooks_events')
    .selectAll()
    .where('status', '=', 'pending')
    .where('available_at', '<=', bound)
    .where(sql<boolean>`attempts < max_attempts`)
    .where((eb) => eb.or([eb('next_retry_at', 'is', null), eb('next_retry_at', '<=', now)]))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .orderBy(sql`coalesce(next_retry_at, inserted_at)`)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toWebhookEvent);
}
