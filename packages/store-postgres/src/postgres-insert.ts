import { ConflictError, type InsertResult, type PreparedEvent } from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import { IDEMPOTENCY_CONFLICT } from './postgres-lean-writes.js';
import { hotStatement, runHot } from './postgres-prepared.js';
import { type EventRow, insertedEvent, jsonId, jsonText, jsonTime, toWebhookEvent } from './postgres-rows.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

/** How often an insert is retried when a row it conflicted with vanished before it could be read. */
const MAX_ROUNDS = 3;

/** What the INSERT returns per created row: the rest of the row is what the insert wrote (`insertedEvent`). */
interface CreatedRow {
  id: string;
  idempotency_key: string | null;
  /** The JSONB payload as pg parses it (key order as stored). */
  payload: unknown;
}

/**
 * The batch as one JSON array (one parameter): each payload's JSON text is embedded as it is, so nothing is
 * escaped or serialised again (the twelve `text[]` parameters this replaces made pg escape every payload
 * into an array literal); short texts are JSON strings, times ISO strings, `o` the input order. A payload
 * sits in a one-element array (`p -> 0`), so a JSON `null` payload stays JSONB `null`, not SQL NULL.
 */
function batchJson(batch: readonly PreparedEvent[]): string {
  const parts = new Array<string>(batch.length);
  for (let index = 0; index < batch.length; index++) {
    const e = batch[index]!;
    parts[index] =
      `{"o":${index},"id":${jsonId(e.id)},"t":${jsonText(e.eventType)},"p":[${e.payloadJson}],` +
      `"u":${jsonText(e.targetUrl)},"s":"${e.status}","m":${e.maxAttempts},` +
      `"n":${jsonTime(e.nextRetryAt)},"e":${jsonText(e.lastError)},"k":${jsonText(e.idempotencyKey)},` +
      `"i":${jsonTime(e.insertedAt)},"b":${jsonText(e.lockedBy)},"l":${jsonTime(e.lockedUntil)}}`;
  }
  return `[${parts.join(',')}]`;
}

/**
 * The INSERT of a batch (`$1`, see `batchJson`), compiled once per store and sent as a prepared statement
 * (it reads no table, so no plan depends on table sizes). ON CONFLICT on the idempotency key
 * leaves an existing row (or an earlier one in this batch) alone. Only what the database decides comes back:
 * which rows were created, and each payload as JSONB keeps it (its key order, which every later read shows).
 */
const insertStatement = hotStatement(
  { perCall: 1, prepare: true },
  ({ events, notify }: PostgresContext, batch) => sql`
    with input as (
      select * from jsonb_to_recordset(${batch}::jsonb) as i(o int, id text, t text, p jsonb, u text,
        s text, m int, n timestamptz, e text, k text, i timestamptz, b text, l timestamptz)
    ), inserted as (
      insert into ${events} (id, event_type, payload, target_url, status, max_attempts, next_retry_at,
        available_at, last_error, inserted_at, updated_at, locked_by, locked_until, idempotency_key)
      select id, t, p -> 0, u, s, m, n, greatest(coalesce(n, i), l), e, i, i, b, l, k
      from input order by o
      on conflict ${IDEMPOTENCY_CONFLICT} do nothing
      returning id, idempotency_key, payload
    )
    select inserted.*, (select ${notify} from inserted limit 1) is null as notified from inserted`,
);

async function insertRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  batch: readonly PreparedEvent[],
): Promise<CreatedRow[]> {
  try {
    return await runHot<CreatedRow>(db, insertStatement(db, context), [batchJson(batch)]);
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

/** True when inserting `prepared` may take several statements (idempotency keys): run it in a transaction. */
export function needsInsertTransaction(prepared: readonly PreparedEvent[]): boolean {
  return prepared.some((event) => event.idempotencyKey !== null);
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
    const byKey = new Map<string, EventRow | CreatedRow>(
      rows.flatMap((row) => (row.idempotency_key === null ? [] : [[row.idempotency_key, row] as const])),
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
        results[item.index] = { event: insertedEvent(item.event, fresh.payload), created: true };
        continue;
      }
      const found = item.event.idempotencyKey === null ? undefined : byKey.get(item.event.idempotencyKey);
      if (found === undefined) next.push(item);
      else results[item.index] = { event: existingEvent(found, remaining), created: false };
    }
    remaining = next;
  }
  if (remaining.length > 0) {
    throw new ConflictError('insert conflicted with rows that were deleted while it ran; try again');
  }
  return results as InsertResult[];
}

/**
 * The event an idempotency key returned: a row read back whole, or one this very batch created for an earlier
 * event with the same key (built like that event's own result).
 */
function existingEvent(
  row: EventRow | CreatedRow,
  batch: readonly { event: PreparedEvent }[],
): InsertResult['event'] {
  if ('event_type' in row) return toWebhookEvent(row);
  const first = batch.find((item) => item.event.id === row.id);
  if (first === undefined) throw new Error(`the insert of ${row.id} is missing from its batch`);
  return insertedEvent(first.event, row.payload);
}
