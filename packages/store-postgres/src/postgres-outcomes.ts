import type { PreparedOutcome, RecordResult } from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import { hotStatement, runHot } from './postgres-prepared.js';
import {
  type EventRow,
  jsonId,
  jsonText,
  jsonTime,
  type OutcomeRow,
  outcomeEvent,
  toWebhookEvent,
} from './postgres-rows.js';
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
 * A run of outcomes as one JSON array (one parameter): request headers (JSON already) are embedded as they
 * are, texts as JSON strings, times as ISO strings.
 */
function runJson(run: readonly PreparedOutcome[]): string {
  const parts = new Array<string>(run.length);
  for (let index = 0; index < run.length; index++) {
    const o = run[index]!;
    parts[index] =
      `{"id":${jsonId(o.eventId)},"w":${jsonText(o.workerId)},"a":${o.attemptNumber},` +
      `"s":"${o.kind === 'retry' ? 'pending' : o.kind}","n":${jsonTime(o.nextRetryAt)},` +
      `"sa":${jsonTime(o.startedAt)},"fa":${jsonTime(o.finishedAt)},"d":${o.durationMs},` +
      `"rs":${o.responseStatus ?? 'null'},"rb":${jsonText(o.responseBody)},"e":${jsonText(o.error)},` +
      `"h":${o.requestHeadersJson ?? 'null'}}`;
  }
  return `[${parts.join(',')}]`;
}

/**
 * The statement applying a run of outcomes (`$1`, see `runJson`) at `$2` (now), compiled once per store.
 * Each outcome is fenced: it applies only while the row is pending, leased by the reporting worker, and at
 * `attempts = attemptNumber - 1`. An applied outcome bumps `attempts`, sets the status (a retry stays
 * pending with its `next_retry_at`), records the response, releases the lease and appends an attempt record.
 * NOTIFYs other instances when a retry was scheduled. Returns the rows that applied with only the columns
 * the outcome did not set (`outcomeEvent` rebuilds the rest).
 *
 * Compiled once per store but not prepared: it looks rows up, and a prepared statement's cached plan would
 * keep whatever the table's size suggested when it was made. The rows are found by primary key only
 * (`id = any(...)`): the fence's status test compares with a column of the outcome CTE (`pending`, always
 * 'pending'), a join condition, so no partial index on pending rows can serve the lookup; otherwise the
 * planner may walk the whole claim index (id is not its leading column) when it looks small, and that walk
 * costs more with every row it holds. (Exported so tests can EXPLAIN it.)
 */
function outcomeSql(returnRows: boolean) {
  // Without rows to return, the statement hands back only ids (the outcomes that applied).
  const returned = returnRows
    ? sql`e.id, e.event_type, e.payload, e.target_url, e.max_attempts, e.next_retry_at, e.delivered_at,
        e.inserted_at, e.replay_count, e.idempotency_key, e.status`
    : sql`e.id, e.replay_count, e.status`;
  const selected = returnRows
    ? sql`applied.id, applied.event_type, applied.payload, applied.target_url, applied.max_attempts,
      applied.next_retry_at, applied.delivered_at, applied.inserted_at, applied.replay_count,
      applied.idempotency_key`
    : sql`applied.id`;
  return ({ events, attempts, notify }: PostgresContext, run: unknown, now: unknown) => sql`
    with outcome as (
      select o.*, 'pending'::text as pending
      from jsonb_to_recordset(${run}::jsonb) as o(id text, w text, a int, s text,
        n timestamptz, sa timestamptz, fa timestamptz, d int, rs int, rb text, e text, h jsonb)
    ), applied as (
      update ${events} as e
      set status = o.s,
          attempts = o.a,
          next_retry_at = case when o.s = 'pending' then o.n else e.next_retry_at end,
          available_at = case when o.s = 'pending' then o.n else e.available_at end,
          last_attempt_at = o.sa,
          last_error = o.e,
          response_status = o.rs,
          response_body = o.rb,
          delivered_at = case when o.s = 'delivered' then o.fa else e.delivered_at end,
          locked_by = null,
          locked_until = null,
          updated_at = ${now}::timestamptz
      from outcome as o
      where e.id = any(array(select id from outcome)) and e.id = o.id and e.status = o.pending
        and e.locked_by = o.w and e.attempts = o.a - 1
      returning ${returned}
    ), recorded as (
      insert into ${attempts} (event_id, attempt_number, replay_count, started_at, finished_at, duration_ms,
        response_status, response_body, error, request_headers, worker_id)
      select o.id, o.a, a.replay_count, o.sa, o.fa, o.d, o.rs, o.rb, o.e, o.h, o.w
      from applied as a join outcome as o on o.id = a.id
    )
    select ${selected},
      (select ${notify} from applied where status = 'pending' limit 1) is null as notified
    from applied`;
}

export const outcomeStatement = hotStatement({ perCall: 2, prepare: false }, outcomeSql(true));

/** `outcomeStatement` returning only the ids of the outcomes that applied (`returnEvents: false`). */
export const outcomeIdsStatement = hotStatement({ perCall: 2, prepare: false }, outcomeSql(false));

/** Applies a run of outcomes (distinct events) in one statement; returns the rows that applied, by id. */
async function applyRun(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  run: readonly PreparedOutcome[],
  now: Date,
  returnEvents: boolean,
): Promise<Map<string, OutcomeRow>> {
  const statement = (returnEvents ? outcomeStatement : outcomeIdsStatement)(db, context);
  const rows = await runHot<OutcomeRow>(db, statement, [runJson(run), now]);
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
  returnEvents = true,
): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  const recordedAt = new Date(now.getTime());
  for (const run of runsWithDistinctEvents(outcomes)) {
    const applied = await applyRun(db, context, run, now, returnEvents);
    const refused = run.filter((outcome) => !applied.has(outcome.eventId)).map((outcome) => outcome.eventId);
    const current =
      refused.length === 0 || !returnEvents
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
      if (row !== undefined) {
        const event = returnEvents ? outcomeEvent(outcome, now, row) : undefined;
        results.push({ eventId: outcome.eventId, applied: true, event, recordedAt });
        continue;
      }
      const event = current.get(outcome.eventId);
      results.push({
        eventId: outcome.eventId,
        applied: false,
        event: event === undefined ? undefined : toWebhookEvent(event),
        recordedAt,
      });
    }
  }
  return results;
}

/** True when outcomes must run in one explicit transaction (an event appears twice: several statements). */
export function needsTransaction(outcomes: readonly PreparedOutcome[]): boolean {
  return runsWithDistinctEvents(outcomes).length > 1;
}
