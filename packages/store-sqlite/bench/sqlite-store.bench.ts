// Throughput of @hooks/store-sqlite on a real database file (WAL, synchronous = NORMAL):
// insertMany (batches of 500, ~1 KB payloads), and claim + record (claim 100, record all delivered, repeat)
// with 10k and with 1M pending rows, to show how claiming scales with the size of the backlog.
// Run: pnpm --filter @hooks/store-sqlite bench [--quick]  (--quick: 100k instead of 1M). Not a test.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebhookStore } from '@hooks/core';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../src/index.js';

const QUICK = process.argv.includes('--quick');
const BIG = QUICK ? 100_000 : 1_000_000;
const BATCH = 500;
const INSERT_ROWS = 50_000;
const SMALL = 10_000;
const CLAIM = 100;
// Rows claimed and recorded per claim case: the whole small backlog, the same amount of the big one.
const CLAIMED_ROWS = SMALL;
const TARGET = 'https://receiver.example.test/hooks';
const PAD = 'x'.repeat(960);

interface Row {
  case: string;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  claimMsPer100: number | null;
  recordMsPer100: number | null;
}

function payload(index: number): { type: string; data: { index: number; text: string } } {
  return { type: 'campaign.sent', data: { index, text: PAD } };
}

function newStore(dir: string, name: string): { store: WebhookStore; filename: string } {
  const filename = join(dir, `${name}.db`);
  return { store: createSqliteStore({ filename }), filename };
}

function batchOf(offset: number) {
  return Array.from({ length: BATCH }, (_, index) => ({
    eventType: 'campaign.sent',
    payload: payload(offset + index),
    targetUrl: TARGET,
  }));
}

async function benchInsert(dir: string): Promise<Row> {
  const { store } = newStore(dir, 'insert');
  await store.init();
  const batches = Array.from({ length: INSERT_ROWS / BATCH }, (_, index) => batchOf(index * BATCH));
  const start = performance.now();
  for (const batch of batches) await store.insertMany(batch);
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  const rows = INSERT_ROWS;
  return { case: 'insertMany (500/batch, ~1 KB)', rows, seconds, rowsPerSec: rows / seconds, ...noSplit() };
}

function noSplit(): Pick<Row, 'claimMsPer100' | 'recordMsPer100'> {
  return { claimMsPer100: null, recordMsPer100: null };
}

/** Fills the event table with `count` pending rows in one INSERT ... SELECT over a recursive CTE. */
function fill(filename: string, count: number): void {
  const db = new Database(filename);
  const base = Date.now() - 60 * 60_000;
  const body = JSON.stringify(payload(0)).replace('"index":0', '"index":%d');
  db.transaction(() => {
    db.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO hooks_events (id, event_type, payload, target_url, status, attempts, max_attempts,
         inserted_at, updated_at, replay_count)
       SELECT printf('evt_bench%020d', n), 'campaign.sent', printf(?, n), ?, 'pending', 0, 8,
         ? + n / 100, ? + n / 100, 0
       FROM seq`,
    ).run(count, body, TARGET, base, base);
  }).immediate();
  db.close();
}

async function benchClaim(dir: string, backlog: number): Promise<Row> {
  const { store, filename } = newStore(dir, `claim-${backlog}`);
  await store.init();
  fill(filename, backlog);
  let claimMs = 0;
  let recordMs = 0;
  let rows = 0;
  const start = performance.now();
  while (rows < CLAIMED_ROWS) {
    const t0 = performance.now();
    const claimed = await store.claimDue({ workerId: 'bench', limit: CLAIM, leaseMs: 60_000 });
    const t1 = performance.now();
    if (claimed.length === 0) break;
    const now = new Date();
    await store.recordOutcomes(
      claimed.map((event) => ({
        eventId: event.id,
        workerId: 'bench',
        attemptNumber: event.attempts + 1,
        attempt: { startedAt: now, finishedAt: now, responseStatus: 200, responseBody: 'ok' },
        result: { kind: 'delivered' as const },
      })),
    );
    recordMs += performance.now() - t1;
    claimMs += t1 - t0;
    rows += claimed.length;
  }
  const seconds = (performance.now() - start) / 1000;
  const counts = await store.countByStatus();
  if (counts.delivered !== rows)
    throw new Error(`expected ${rows} delivered rows, found ${counts.delivered}`);
  await store.close();
  const batches = rows / CLAIM;
  return {
    case: `claim ${CLAIM} + recordOutcomes, ${label(backlog)} pending`,
    rows,
    seconds,
    rowsPerSec: rows / seconds,
    claimMsPer100: claimMs / batches,
    recordMsPer100: recordMs / batches,
  };
}

function label(count: number): string {
  return count >= 1_000_000 ? `${count / 1_000_000}M` : `${count / 1000}k`;
}

function fixed(value: number | null, digits: number): string {
  return value === null ? '-' : value.toFixed(digits);
}

function printTable(rows: Row[]): void {
  const header = ['case', 'rows', 'seconds', 'rows/s', 'claim ms/100', 'record ms/100'];
  const lines = rows.map((row) => [
    row.case,
    String(row.rows),
    fixed(row.seconds, 2),
    Math.round(row.rowsPerSec).toLocaleString('en-US'),
    fixed(row.claimMsPer100, 2),
    fixed(row.recordMsPer100, 2),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hooks-sqlite-bench-'));
  try {
    const rows = [await benchInsert(dir), await benchClaim(dir, SMALL)];
    const fillStart = performance.now();
    const big = await benchClaim(dir, BIG);
    const fileBytes = statSync(join(dir, `claim-${BIG}.db`)).size;
    rows.push(big);
    const ratio = big.rowsPerSec / rows[1]!.rowsPerSec;
    printTable(rows);
    console.log(
      `\nclaim+record at ${label(BIG)} pending / at ${label(SMALL)} pending: ${ratio.toFixed(2)}x ` +
        `(the ${label(BIG)} file is ${(fileBytes / 1e6).toFixed(0)} MB; fill + run took ` +
        `${((performance.now() - fillStart) / 1000).toFixed(1)} s)`,
    );
    const result = {
      node: process.version,
      sqlite: (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
      quick: QUICK,
      rows,
      bigToSmallClaimRatio: ratio,
    };
    console.log(JSON.stringify(result, null, 2));
    const out = join(
      dirname(fileURLToPath(import.meta.url)),
      'results',
      `sqlite-store${QUICK ? '.quick' : ''}.json`,
    );
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
