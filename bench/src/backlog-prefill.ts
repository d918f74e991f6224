import { BENCH_EVENT_TYPE, benchPayload } from './bench-event.js';
import { createPgClient, openSqlite } from './sql-clients.js';
import { openStore, type StoreLocation } from './store-factory.js';

/** How a backlog was made. */
export interface PrefillReport {
  /** Pending rows inserted. */
  rows: number;
  /** Seconds spent inserting (and analysing). */
  seconds: number;
}

/** The payload text of the generated rows, with `%d` where the sequence number goes. */
function payloadTemplate(): string {
  return JSON.stringify(benchPayload(0)).replace('"seq":0', '"seq":%d');
}

async function prefillPostgres(
  location: Extract<StoreLocation, { kind: 'postgres' }>,
  rows: number,
  targetUrl: string,
): Promise<void> {
  const client = createPgClient({ connectionString: location.databaseUrl });
  await client.connect();
  try {
    const table = `"${location.schema}".hooks_events`;
    // Due an hour ago, one millisecond apart, oldest first: what a backlog of due rows looks like.
    await client.query(
      `insert into ${table} (id, event_type, payload, target_url, status, attempts, max_attempts,
         available_at, inserted_at, updated_at, replay_count)
       select 'evt_backlog' || lpad(n::text, 12, '0'), $2, format($3, n)::jsonb, $4, 'pending', 0, 8, t, t, t, 0
       from generate_series(1, $1::int) as n,
            lateral (select now() - interval '1 hour' + n * interval '1 ms' as t) as times`,
      [rows, BENCH_EVENT_TYPE, payloadTemplate().replace('%d', '%s'), targetUrl],
    );
    // What autovacuum would have done by now on a table that large: statistics and the visibility map.
    await client.query(`vacuum (analyze) ${table}`);
  } finally {
    await client.end();
  }
}

function prefillSqlite(filename: string, rows: number, targetUrl: string): void {
  const db = openSqlite(filename);
  try {
    const base = Date.now() - 3_600_000;
    const insert = db.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO hooks_events (id, event_type, payload, target_url, status, attempts, max_attempts,
         inserted_at, updated_at, replay_count)
       SELECT printf('evt_backlog%012d', n), ?, printf(?, n), ?, 'pending', 0, 8, ? + n, ? + n, 0 FROM seq`,
    );
    const template = payloadTemplate();
    // Batched transactions of 100k rows keep each write short.
    for (let first = 1; first <= rows; first += 100_000) {
      const last = Math.min(rows, first + 99_999);
      db.transaction(() =>
        insert.run(first, last, BENCH_EVENT_TYPE, template, targetUrl, base, base),
      ).immediate();
    }
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
}

/**
 * Fills a new store location with `rows` due, pending ~1 KB events for `targetUrl`: the store's own `init`
 * creates its schema, then one INSERT ... SELECT (generate_series on PostgreSQL, a recursive CTE in
 * 100k-row transactions on SQLite) writes straight into its events table.
 *
 * @example
 * const { seconds } = await prefillBacklog(location, 1_000_000, receiver.url);
 */
export async function prefillBacklog(
  location: StoreLocation,
  rows: number,
  targetUrl: string,
): Promise<PrefillReport> {
  const store = openStore(location, 2);
  await store.init();
  await store.close();
  const started = performance.now();
  if (location.kind === 'postgres') await prefillPostgres(location, rows, targetUrl);
  else if (location.kind === 'sqlite') prefillSqlite(location.filename, rows, targetUrl);
  else throw new Error('a memory store cannot be prefilled from outside its process');
  return { rows, seconds: Math.round((performance.now() - started) / 100) / 10 };
}
