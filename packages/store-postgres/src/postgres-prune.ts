import type { PruneResult, TerminalStatus } from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import { statusIndexTerm } from './postgres-lean-writes.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

/**
 * Deletes terminal rows with a status in `statuses` last updated before `olderThan` (never pending rows),
 * with all their attempt records, plus every attempt record that finished before `olderThan`. One
 * statement, so the counts match what was deleted. This is the only place events are deleted, and no foreign
 * key deletes their attempts (migration 0003): the statement does, so no attempt outlives its event.
 */
export async function pruneRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  olderThan: Date,
  statuses: readonly TerminalStatus[],
): Promise<PruneResult> {
  const { events, attempts } = context;
  const indexTerm = statusIndexTerm(statuses);
  const { rows } = await sql<{ events: number; attempts: number }>`
    with doomed as (
      delete from ${events}
      where status = any(${statuses}::text[]) and status <> 'pending' and updated_at < ${olderThan}
        ${indexTerm === undefined ? sql`` : sql`and ${indexTerm}`}
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
