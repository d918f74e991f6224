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
import { type Kysely, type Migration, sql } from 'kysely';
import { all, run, type SqlProgram } from './sqlite-executor.js';
import type { SqliteTableNames } from './sqlite-schema.js';

/** One `endpoints` row as SQLite returns it (times are integer milliseconds since the epoch). */
export interface EndpointRow {
  /** The target URL (primary key). */
  url: string;
  /** Failed attempts since the last success or enable. */
  consecutive_failures: number;
  /** When the failure streak began. */
  failing_since: number | null;
  /** When the last failed attempt finished. */
  last_failure_at: number | null;
  /** When the last success finished. */
  last_success_at: number | null;
  /** Why the last attempt failed. */
  last_error: string | null;
  /** When the endpoint was disabled; null while enabled. */
  disabled_at: number | null;
  /** Why it was disabled. */
  disabled_reason: string | null;
  /** When the row last changed. */
  updated_at: number;
}

/** The endpoint table's runtime name for a table prefix. */
export function endpointsTable(names: SqliteTableNames): string {
  return `${names.prefix}endpoints`;
}

/** Migration 0003: the endpoint health table, one row per target URL that ever failed. */
export function createEndpointsMigration(names: SqliteTableNames): Migration {
  const table = endpointsTable(names);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(table)
        .addColumn('url', 'text', (col) => col.primaryKey().notNull())
        .addColumn('consecutive_failures', 'integer', (col) =>
          col.notNull().defaultTo(0).check(sql`consecutive_failures >= 0`),
        )
        .addColumn('failing_since', 'integer')
        .addColumn('last_failure_at', 'integer')
        .addColumn('last_success_at', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('disabled_at', 'integer')
        .addColumn('disabled_reason', 'text')
        .addColumn('updated_at', 'integer', (col) => col.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable(table).execute();
    },
  };
}

const time = (value: number | null): Date | null => (value === null ? null : new Date(Number(value)));
const millis = (value: Date | null): number | null => (value === null ? null : value.getTime());

/** Maps a stored row to the contract's `EndpointHealth`. */
export function rowToEndpoint(row: EndpointRow): EndpointHealth {
  const disabledAt = time(row.disabled_at);
  const consecutiveFailures = Number(row.consecutive_failures);
  return {
    url: row.url,
    state: endpointStateOf({ disabledAt, consecutiveFailures }),
    consecutiveFailures,
    failingSince: time(row.failing_since),
    lastFailureAt: time(row.last_failure_at),
    lastSuccessAt: time(row.last_success_at),
    lastError: row.last_error,
    disabledAt,
    disabledReason: row.disabled_reason,
    updatedAt: new Date(Number(row.updated_at)),
  };
}

const STATE_CONDITIONS: Record<EndpointState, string> = {
  disabled: 'disabled_at IS NOT NULL',
  failing: '(disabled_at IS NULL AND consecutive_failures > 0)',
  healthy: '(disabled_at IS NULL AND consecutive_failures = 0)',
};

/** Endpoints in URL order, in the given states (null = all), at most `limit`. */
export function* listEndpointRows(
  names: SqliteTableNames,
  states: readonly EndpointState[] | null,
  limit: number,
): SqlProgram<EndpointHealth[]> {
  const where = states === null ? '' : `WHERE ${states.map((state) => STATE_CONDITIONS[state]).join(' OR ')}`;
  const rows = yield* all<EndpointRow>(
    `SELECT * FROM ${endpointsTable(names)} ${where} ORDER BY url LIMIT ?`,
    [limit],
  );
  return rows.map(rowToEndpoint);
}

function* writeEndpoint(names: SqliteTableNames, endpoint: EndpointHealth): SqlProgram<void> {
  yield* run(
    `INSERT INTO ${endpointsTable(names)} (url, consecutive_failures, failing_since, last_failure_at, ` +
      'last_success_at, last_error, disabled_at, disabled_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (url) DO UPDATE SET consecutive_failures = excluded.consecutive_failures, ' +
      'failing_since = excluded.failing_since, last_failure_at = excluded.last_failure_at, ' +
      'last_success_at = excluded.last_success_at, last_error = excluded.last_error, ' +
      'disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason, updated_at = excluded.updated_at',
    [
      endpoint.url,
      endpoint.consecutiveFailures,
      millis(endpoint.failingSince),
      millis(endpoint.lastFailureAt),
      millis(endpoint.lastSuccessAt),
      endpoint.lastError,
      millis(endpoint.disabledAt),
      endpoint.disabledReason,
      endpoint.updatedAt.getTime(),
    ],
  );
}

/**
 * Applies grouped results (the caller runs this in one `BEGIN IMMEDIATE` transaction, so concurrent callers
 * apply one after the other and no count is lost). A URL without a row gets one only when it is not healthy
 * afterwards.
 */
export function* recordEndpointRows(
  names: SqliteTableNames,
  grouped: ReadonlyMap<string, readonly PreparedEndpointResult[]>,
  policy: NormalisedEndpointPolicy,
  now: Date,
): SqlProgram<EndpointResultsReport> {
  const select = `SELECT * FROM ${endpointsTable(names)} WHERE url = ?`;
  const report: EndpointResultsReport = { endpoints: [], disabled: [] };
  for (const [url, results] of grouped) {
    const [row] = yield* all<EndpointRow>(select, [url]);
    const current = row === undefined ? newEndpointHealth(url, now) : rowToEndpoint(row);
    const fold = foldEndpointResults(current, results, policy, now);
    if (fold.changed && (row !== undefined || fold.next.state !== 'healthy'))
      yield* writeEndpoint(names, fold.next);
    report.endpoints.push(fold.next);
    if (fold.disabled) report.disabled.push(fold.next);
  }
  return report;
}

/** Clears the streak and the disable of a known endpoint (run in a transaction); undefined when unknown. */
export function* enableEndpointRow(
  names: SqliteTableNames,
  url: string,
  now: Date,
): SqlProgram<EndpointHealth | undefined> {
  const [row] = yield* all<EndpointRow>(`SELECT * FROM ${endpointsTable(names)} WHERE url = ?`, [url]);
  if (row === undefined) return undefined;
  const next = enabledEndpoint(rowToEndpoint(row), now);
  yield* writeEndpoint(names, next);
  return next;
}
