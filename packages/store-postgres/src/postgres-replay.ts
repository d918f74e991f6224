import { type DeliveryStatus, type NormalisedReplay, planReplay, type ReplayReport } from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import { statusIndexTerm } from './postgres-lean-writes.js';
import { toDate } from './postgres-rows.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

interface CandidateRow {
  id: string;
  event_type: string;
  status: string;
  replay_count: number;
  inserted_at: Date | string;
}

async function selectCandidates(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  replay: NormalisedReplay,
): Promise<CandidateRow[]> {
  const filters = [sql`status = any(${replay.statuses}::text[])`];
  const indexTerm = statusIndexTerm(replay.statuses);
  if (indexTerm !== undefined) filters.push(indexTerm);
  if (replay.ids !== null) filters.push(sql`id = any(${replay.ids}::text[])`);
  if (replay.eventTypes !== null) filters.push(sql`event_type = any(${replay.eventTypes}::text[])`);
  if (replay.targetUrls !== null) filters.push(sql`target_url = any(${replay.targetUrls}::text[])`);
  if (replay.since !== null) filters.push(sql`inserted_at >= ${replay.since}`);
  if (replay.until !== null) filters.push(sql`inserted_at < ${replay.until}`);
  // A real replay locks what it selected, so a concurrent replay of the same rows waits and then skips them.
  const lock = replay.dryRun ? sql`` : sql`for update`;
  const { rows } = await sql<CandidateRow>`
    select id, event_type, status, replay_count, inserted_at from ${context.events}
    where ${sql.join(filters, sql` and `)}
    order by inserted_at, id
    limit ${replay.limit}
    ${lock}`.execute(db);
  return rows;
}

/**
 * Resets the selected terminal rows to pending (attempts 0, no retry time, no delivery time, no lease,
 * `replay_count + 1`) in one transaction: SELECT ... FOR UPDATE, then one UPDATE. Rows at the replay cap
 * are reported and left alone; a dry run writes nothing. Wakes other instances when rows were replayed.
 */
export async function replayRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  replay: NormalisedReplay,
  now: Date,
): Promise<ReplayReport> {
  const matched = await selectCandidates(db, context, replay);
  const { resetIds, report } = planReplay(
    matched.map((row) => ({
      id: row.id,
      eventType: row.event_type,
      status: row.status as DeliveryStatus,
      replayCount: row.replay_count,
      insertedAt: toDate(row.inserted_at),
    })),
    replay,
  );
  if (resetIds.length > 0) {
    await sql`
      update ${context.events}
      set status = 'pending', attempts = 0, next_retry_at = null, available_at = inserted_at,
          delivered_at = null, locked_by = null, locked_until = null,
          replay_count = replay_count + 1, updated_at = ${now}
      where id = any(${resetIds}::text[])`.execute(db);
    await sql`select ${context.notify}`.execute(db);
  }
  return report;
}
