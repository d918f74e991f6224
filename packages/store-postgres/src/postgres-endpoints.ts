import {
  type EndpointHealth,
  type EndpointResultsReport,
  type EndpointState,
  enabledEndpoint,
  endpointStateOf,
  foldEndpointResults,
  type NormalisedEndpointPolicy,
  newEndpointHealth,
  type PreparedEndpointResult,
} from '@hooks/core';
import { type Kysely, type Migration, type RawBuilder, sql } from 'kysely';
import { toDate, toDateOrNull } from './postgres-rows.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';
import { storableText } from './postgres-text.js';

/** One `hooks_endpoints` row as pg returns it. */
interface EndpointRow {
  url: string;
  consecutive_failures: number;
  failing_since: Date | string | null;
  last_failure_at: Date | string | null;
  last_success_at: Date | string | null;
  last_error: string | null;
  disabled_at: Date | string | null;
  disabled_reason: string | null;
  updated_at: Date | string;
}

/** Migration 0002: `hooks_endpoints`, the health of each target URL that ever failed. */
export function createEndpointsMigration(schema: string): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .withSchema(schema)
        .createTable('hooks_endpoints')
        .addColumn('url', sql`text collate "C"`, (col) => col.primaryKey())
        .addColumn('consecutive_failures', 'integer', (col) =>
          col.notNull().defaultTo(0).check(sql`consecutive_failures >= 0`),
        )
        .addColumn('failing_since', 'timestamptz')
        .addColumn('last_failure_at', 'timestamptz')
        .addColumn('last_success_at', 'timestamptz')
        .addColumn('last_error', 'text')
        .addColumn('disabled_at', 'timestamptz')
        .addColumn('disabled_reason', 'text')
        .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.withSchema(schema).dropTable('hooks_endpoints').execute();
    },
  };
}

function table(context: PostgresContext): RawBuilder<unknown> {
  return sql.table(`${context.schema}.hooks_endpoints`);
}

function toEndpoint(row: EndpointRow): EndpointHealth {
  const disabledAt = toDateOrNull(row.disabled_at);
  return {
    url: row.url,
    state: endpointStateOf({ disabledAt, consecutiveFailures: row.consecutive_failures }),
    consecutiveFailures: row.consecutive_failures,
    failingSince: toDateOrNull(row.failing_since),
    lastFailureAt: toDateOrNull(row.last_failure_at),
    lastSuccessAt: toDateOrNull(row.last_success_at),
    lastError: row.last_error,
    disabledAt,
    disabledReason: row.disabled_reason,
    updatedAt: toDate(row.updated_at),
  };
}

const STATE_CONDITIONS: Record<EndpointState, RawBuilder<unknown>> = {
  disabled: sql`disabled_at is not null`,
  failing: sql`(disabled_at is null and consecutive_failures > 0)`,
  healthy: sql`(disabled_at is null and consecutive_failures = 0)`,
};

/** Endpoints ordered by URL, in the given states (null = all), at most `limit`. */
export async function listEndpointRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  states: readonly EndpointState[] | null,
  limit: number,
): Promise<EndpointHealth[]> {
  const where =
    states === null
      ? sql``
      : sql`where ${sql.join(
          states.map((state) => STATE_CONDITIONS[state]),
          sql` or `,
        )}`;
  const { rows } = await sql<EndpointRow>`
    select * from ${table(context)} ${where} order by url limit ${limit}`.execute(db);
  return rows.map(toEndpoint);
}

const COLUMNS = sql`(url, consecutive_failures, failing_since, last_failure_at, last_success_at, last_error,
  disabled_at, disabled_reason, updated_at)`;

function values(endpoint: EndpointHealth): RawBuilder<unknown> {
  return sql`(${endpoint.url}, ${endpoint.consecutiveFailures}, ${endpoint.failingSince},
    ${endpoint.lastFailureAt}, ${endpoint.lastSuccessAt}, ${storableText(endpoint.lastError)},
    ${endpoint.disabledAt}, ${storableText(endpoint.disabledReason)}, ${endpoint.updatedAt})`;
}

async function update(db: Kysely<HooksDatabase>, context: PostgresContext, endpoint: EndpointHealth) {
  await sql`update ${table(context)} set ${COLUMNS} = ${values(endpoint)} where url = ${endpoint.url}`.execute(
    db,
  );
}

/** Inserts a new row; false when another transaction inserted the URL first (the caller locks and folds again). */
async function insert(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  endpoint: EndpointHealth,
): Promise<boolean> {
  const { rows } = await sql<{ url: string }>`
    insert into ${table(context)} ${COLUMNS} values ${values(endpoint)}
    on conflict (url) do nothing returning url`.execute(db);
  return rows.length === 1;
}

async function lockRow(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  url: string,
): Promise<EndpointRow | undefined> {
  const { rows } = await sql<EndpointRow>`
    select * from ${table(context)} where url = ${url} for update`.execute(db);
  return rows[0];
}

/**
 * Applies grouped results inside the caller's transaction: each URL's row is locked (`FOR UPDATE`, in URL
 * order so concurrent callers cannot deadlock), folded and written, so concurrent callers apply one after the
 * other and never lose a count. A URL without a row gets one only when it is not healthy afterwards; if a
 * concurrent caller inserted it meanwhile, its row is locked and the results are folded onto it.
 */
export async function recordEndpointRows(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  grouped: ReadonlyMap<string, readonly PreparedEndpointResult[]>,
  policy: NormalisedEndpointPolicy,
  now: Date,
): Promise<EndpointResultsReport> {
  const report: EndpointResultsReport = { endpoints: [], disabled: [] };
  for (const url of [...grouped.keys()].sort()) {
    const results = grouped.get(url)!;
    for (;;) {
      const row = await lockRow(db, context, url);
      const fold = foldEndpointResults(
        row === undefined ? newEndpointHealth(url, now) : toEndpoint(row),
        results,
        policy,
        now,
      );
      if (fold.changed && row !== undefined) await update(db, context, fold.next);
      else if (fold.changed && fold.next.state !== 'healthy' && !(await insert(db, context, fold.next)))
        continue;
      report.endpoints.push(fold.next);
      if (fold.disabled) report.disabled.push(fold.next);
      break;
    }
  }
  return report;
}

/** Clears the streak and the disable of a known endpoint (in the caller's transaction) and NOTIFYs. */
export async function enableEndpointRow(
  db: Kysely<HooksDatabase>,
  context: PostgresContext,
  url: string,
  now: Date,
): Promise<EndpointHealth | undefined> {
  const row = await lockRow(db, context, url);
  if (row === undefined) return undefined;
  const next = enabledEndpoint(toEndpoint(row), now);
  await update(db, context, next);
  await sql`select ${context.notify}`.execute(db);
  return next;
}
