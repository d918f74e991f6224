import type { PreparedOutcome, RecordResult } from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import { type EventRow, toWebhookEvent } from './postgres-rows.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';

/** Splits outcomes into runs in which every event appears once, keeping their order. */
function runsWithDistinctEvents(outcomes: readonly PreparedOutcome[]): PreparedOutcome[][] {
  const runs: PreparedOutcome[][] = [];
  let run: PreparedOutcome[] = [];
  let seen = new Set<string>();
  for (const outcome of outcomes) {
    if (seen.has(outcome.eventId)) {
      runs.push(run);
      run = [];
      seen = new Set();
    }
    seen.add(outcome.eventId);
    run.push(outcome);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * Applies a run of outcomes (distinct events) in one statement. Each is fenced: it applies only while the
 * row is pending, leased by the reporting worker, and at `attempts = attemptNumber - 1`. An applied outcome
 * bumps `attempts`, sets the status (a retry stays pending with its `next_retry_at`), records the response,
 * releases the lease and appends an attempt record. NOTIFYs other instances when a retry was scheduled.
 * Returns the rows that applied, by id.
 */
async function applyRun(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  run: readonly PreparedOutcome[],
  now: Date,
): Promise<Map<string, EventRow>> {
  const { events, attempts } = context;
  const column = <T>(pick: (outcome: PreparedOutcome) => T): T[] => run.map(pick);
  const { rows } = await sql<EventRow>`
    with outcome as (
      select * from unnest(
        ${column((o) => o.eventId)}::text[], ${column((o) => o.workerId)}::text[],
        ${column((o) => o.attemptNumber)}::int[], ${column((o) => (o.kind === 'retry' ? 'pending' : o.kind))}::text[],
        ${column((o) => o.nextRetryAt)}::timestamptz[], ${column((o) => o.startedAt)}::timestamptz[],
        ${column((o) => o.finishedAt)}::timestamptz[], ${column((o) => o.durationMs)}::int[],
        ${column((o) => o.responseStatus)}::int[], ${column((o) => o.responseBody)}::text[],
        ${column((o) => o.error)}::text[], ${column((o) => o.requestHeadersJson)}::text[]
      ) as o(event_id, worker_id, attempt_number, status, next_retry_at, started_at, finished_at,
             duration_ms, response_status, response_body, error, request_headers)
    ), applied as (
      update ${events} as e
      set status = o.status,
          attempts = o.attempt_number,
          next_retry_at = case when o.status = 'pending' then o.next_retry_at else e.next_retry_at end,
          available_at = case when o.status = 'pending' then o.next_retry_at else e.available_at end,
          last_attempt_at = o.started_at,
          last_error = o.error,
          response_status = o.response_status,
          response_body = o.response_body,
          delivered_at = case when o.status = 'delivered' then o.finished_at else e.delivered_at end,
          locked_by = null,
          locked_until = null,
          updated_at = ${now}
      from outcome as o
      where e.id = any(${column((o) => o.eventId)}::text[]) and e.id = o.event_id and e.status = 'pending' and e.locked_by = o.worker_id
        and e.attempts = o.attempt_number - 1
      returning e.*
    ), recorded as (
      insert into ${attempts} (event_id, attempt_number, replay_count, started_at, finished_at, duration_ms,
        response_status, response_body, error, request_headers, worker_id)
      select o.event_id, o.attempt_number, a.replay_count, o.started_at, o.finished_at, o.duration_ms,
        o.response_status, o.response_body, o.error, o.request_headers::jsonb, o.worker_id
      from applied as a join outcome as o on o.event_id = a.id
    )
    select applied.*,
      (select ${context.notify} from applied where status = 'pending' limit 1) is null as notified
    from applied`.execute(db);
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Records outcomes in order, as if one after the other; rows whose outcome was refused come back as they
 * are. Outcomes for distinct events are one statement (atomic by itself); when an event repeats, each run
 * is a statement and the caller must pass a transaction (see `needsTransaction`).
 */
export async function recordOutcomeRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  outcomes: readonly PreparedOutcome[],
  now: Date,
): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (const run of runsWithDistinctEvents(outcomes)) {
    const applied = await applyRun(db, context, run, now);
    const refused = run.filter((outcome) => !applied.has(outcome.eventId)).map((outcome) => outcome.eventId);
    const current =
      refused.length === 0
        ? new Map<string, EventRow>()
        : new Map(
            (
              await sql<EventRow>`select * from ${context.events} where id = any(${refused}::text[])`.execute(
                db,
              )
            ).rows.map((row) => [row.id, row]),
          );
    for (const outcome of run) {
      const row = applied.get(outcome.eventId);
      const event = row ?? current.get(outcome.eventId);
      results.push({
        eventId: outcome.eventId,
        applied: row !== undefined,
        event: event === undefined ? undefined : toWebhookEvent(event),
      });
    }
  }
  return results;
}

/** True when outcomes must run in one explicit transaction (an event appears twice: several statements). */
export function needsTransaction(outcomes: readonly PreparedOutcome[]): boolean {
  return runsWithDistinctEvents(outcomes).length > 1;
}
