import type { PruneResult, TerminalStatus } from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

/**
 * Deletes terminal rows with a status in `statuses` last updated before `olderThan` (never pending rows),
 * with all their attempt records, plus every attempt record that finished before `olderThan`. One
 * statement, so the counts match what was deleted.
 */
export async function pruneRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  olderThan: Date,
  statuses: readonly TerminalStatus[],
): Promise<PruneResult> {
  const { events, attempts } = context;
  const { rows } = await sql<{ events: number; attempts: number }>`
    with doomed as (
      delete from ${events}
      where status = any(${statuses}::text[]) and status <> 'pending' and updated_at < ${olderThan}
      returning id
    ), expired as (
      delete from ${attempts}
      where finished_at < ${olderThan} or event_id in (select id from doomed)
      returning id
    )
    select (select count(*) from doomed)::int as events, (select count(*) from expired)::int as attempts`.execute(
    db,
  );
  return { events: rows[0]?.events ?? 0, attempts: rows[0]?.attempts ?? 0 };
}
