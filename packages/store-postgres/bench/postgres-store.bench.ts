// Throughput of @hooks/store-postgres against the local PostgreSQL: insertMany, and claim + recordOutcomes
// with 10k and with 1M pending rows (100k with --quick), by one worker and by 4 workers (separate pools).
// Not a test: prints a table and JSON.
// Run: pnpm --filter @hooks/store-postgres bench [-- --quick]
// Database: env HOOKS_BENCH_DATABASE_URL, else HOOKS_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test.
// --no-sync-commit runs the store's sessions with synchronous_commit=off, to separate the store's own cost
// from the WAL flush every commit waits for (which dominates on slow disks).
import { randomBytes } from 'node:crypto';
import type { AttemptOutcome, WebhookEvent } from '@hooks/core';
import pg from 'pg';
import { createPostgresStore, type PostgresStore } from '../src/index.js';

const DATABASE_URL =
  process.env.HOOKS_BENCH_DATABASE_URL ??
  process.env.HOOKS_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const QUICK = process.argv.includes('--quick');
const SYNC_COMMIT = !process.argv.includes('--no-sync-commit');
const STORE_URL = SYNC_COMMIT ? DATABASE_URL : withOption(DATABASE_URL, '-c synchronous_commit=off');
const BIG = QUICK ? 100_000 : 1_000_000;
const BATCH = 500;
const SMALL = 10_000;
const CLAIM = 100;
const WORKERS = 4;
const PROCESS_ROWS = { small: 5_000, big: 10_000 };
const PAYLOAD_TEXT = 'x'.repeat(960);

interface Row {
  case: string;
  pending: number;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  p50Ms?: { claim: number; record: number } | { batch: number };
}

function withOption(url: string, option: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', option);
  return parsed.toString();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function payload(n: number) {
  return { type: 'campaign.sent', n, data: { text: PAYLOAD_TEXT } };
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function benchInsertMany(store: PostgresStore): Promise<Row> {
  await store.insertMany(
    Array.from({ length: BATCH }, (_, n) => ({ eventType: 'warmup', payload: payload(n) })),
  );
  const batches = SMALL / BATCH - 1;
  const times: number[] = [];
  const start = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const events = Array.from({ length: BATCH }, (_, n) => ({
      eventType: 'campaign.sent',
      payload: payload(b * BATCH + n),
      targetUrl: 'https://receiver.example.test/hooks',
    }));
    const t = process.hrtime.bigint();
    await store.insertMany(events);
    times.push(seconds(t) * 1000);
  }
  const elapsed = seconds(start);
  const rows = batches * BATCH;
  return {
    case: `insertMany (batches of ${BATCH}, ~1 KB payloads)`,
    pending: SMALL,
    rows,
    seconds: elapsed,
    rowsPerSec: rows / elapsed,
    p50Ms: { batch: median(times) },
  };
}

function delivered(rows: readonly WebhookEvent[], workerId: string): AttemptOutcome[] {
  const startedAt = new Date();
  return rows.map((row) => ({
    eventId: row.id,
    workerId,
    attemptNumber: row.attempts + 1,
    attempt: {
      startedAt,
      finishedAt: new Date(),
      responseStatus: 200,
      responseBody: 'ok',
      requestHeaders: { 'webhook-id': row.id },
    },
    result: { kind: 'delivered' },
  }));
}

/** Claim + record loops, one per store (`stores.length` workers at once), until `target` rows are done. */
async function benchClaimAndRecord(stores: PostgresStore[], pending: number, target: number): Promise<Row> {
  const claimTimes: number[] = [];
  const recordTimes: number[] = [];
  let processed = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    stores.map(async (store, index) => {
      const workerId = `bench-${index}`;
      while (processed < target) {
        let t = process.hrtime.bigint();
        const rows = await store.claimDue({ workerId, limit: CLAIM, leaseMs: 60_000 });
        claimTimes.push(seconds(t) * 1000);
        if (rows.length === 0) return;
        t = process.hrtime.bigint();
        const results = await store.recordOutcomes(delivered(rows, workerId));
        recordTimes.push(seconds(t) * 1000);
        if (results.some((result) => !result.applied)) throw new Error('an outcome was refused');
        processed += rows.length;
      }
    }),
  );
  const elapsed = seconds(start);
  const workers = stores.length === 1 ? '' : `, ${stores.length} workers`;
  return {
    case: `claim ${CLAIM} + recordOutcomes (delivered)${workers}`,
    pending,
    rows: processed,
    seconds: elapsed,
    rowsPerSec: processed / elapsed,
    p50Ms: { claim: median(claimTimes), record: median(recordTimes) },
  };
}

async function fillPending(client: pg.Client, schema: string, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  await client.query(
    `insert into "${schema}".hooks_events (id, event_type, payload, target_url, status, max_attempts,
       available_at, inserted_at, updated_at)
     select 'evt_bulk' || lpad(n::text, 12, '0'), 'campaign.sent',
            jsonb_build_object('type', 'campaign.sent', 'n', n, 'data', jsonb_build_object('text', $2::text)),
            'https://receiver.example.test/hooks', 'pending', 8, t, t, t
     from generate_series(1, $1::int) as n, lateral (select now() - interval '1 day' + n * interval '1 ms' as t) as times`,
    [count, PAYLOAD_TEXT],
  );
  await client.query(`analyze "${schema}".hooks_events`);
  return seconds(start);
}

async function claimPlan(client: pg.Client, schema: string): Promise<string> {
  const { rows } = await client.query(
    `explain select id from "${schema}".hooks_events
     where status = 'pending' and available_at <= now() and attempts < max_attempts
     order by available_at, id limit ${CLAIM} for update skip locked`,
  );
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

async function main(): Promise<void> {
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const smallSchema = `hooks_bench_small_${suffix}`;
  const bigSchema = `hooks_bench_big_${suffix}`;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const small = createPostgresStore({
    connectionString: STORE_URL,
    schema: smallSchema,
    listen: false,
    poolSize: 4,
  });
  const big = createPostgresStore({
    connectionString: STORE_URL,
    schema: bigSchema,
    listen: false,
    poolSize: 4,
  });
  const results: Row[] = [];
  try {
    await Promise.all([small.init(), big.init()]);
    results.push(await benchInsertMany(small));
    // Autovacuum would have analysed the table by now in a running system; do it at once here.
    await client.query(`analyze "${smallSchema}".hooks_events`);
    results.push(await benchClaimAndRecord([small], SMALL, PROCESS_ROWS.small));
    console.error(`building ${BIG.toLocaleString('en')} pending rows with generate_series...`);
    const fillSeconds = await fillPending(client, bigSchema, BIG);
    const plan = await claimPlan(client, bigSchema);
    results.push(await benchClaimAndRecord([big], BIG, PROCESS_ROWS.big));
    const peers = Array.from({ length: WORKERS }, () =>
      createPostgresStore({ connectionString: STORE_URL, schema: bigSchema, listen: false, poolSize: 2 }),
    );
    try {
      results.push(await benchClaimAndRecord(peers, BIG - PROCESS_ROWS.big, PROCESS_ROWS.big));
    } finally {
      await Promise.allSettled(peers.map((peer) => peer.close()));
    }
    const usesIndex = plan.includes('hooks_events_claim_idx');
    console.log('');
    const commit = SYNC_COMMIT ? 'synchronous_commit=on' : 'synchronous_commit=off';
    console.log(
      `@hooks/store-postgres bench (${QUICK ? 'quick' : 'full'}, ${commit}), PostgreSQL at ${new URL(DATABASE_URL).host}`,
    );
    console.table(
      results.map((row) => ({
        case: row.case,
        pending: row.pending.toLocaleString('en'),
        rows: row.rows,
        'rows/s': Math.round(row.rowsPerSec).toLocaleString('en'),
        'p50 ms': JSON.stringify(row.p50Ms),
      })),
    );
    console.log(
      `filled ${BIG.toLocaleString('en')} rows in ${fillSeconds.toFixed(1)} s; claim uses the partial index: ${usesIndex}`,
    );
    console.log(
      JSON.stringify(
        {
          quick: QUICK,
          synchronousCommit: SYNC_COMMIT,
          node: process.version,
          bigPendingRows: BIG,
          fillSeconds,
          claimUsesPartialIndex: usesIndex,
          results,
        },
        null,
        2,
      ),
    );
  } finally {
    await Promise.allSettled([small.close(), big.close()]);
    for (const schema of [smallSchema, bigSchema])
      await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}

await main();
