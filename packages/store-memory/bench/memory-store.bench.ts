// Throughput of @hooks/store-memory: insertMany (batches of 500, ~1 KB payloads), and claim 100 +
// recordOutcomes with 10k and with 1M pending rows (100k with --quick), to show how claiming scales.
// Run: pnpm --filter @hooks/store-memory bench [--quick]. Not a test: prints a table and JSON.
import type { NewWebhookEvent } from '@hooks/core';
import { createMemoryStore } from '../src/index.js';

const QUICK = process.argv.includes('--quick');
const SMALL = 10_000;
const BIG = QUICK ? 100_000 : 1_000_000;
const BATCH = 500;
const CLAIM = 100;
const CLAIMED = 10_000;
const PAD = 'x'.repeat(960);

function batch(offset: number): NewWebhookEvent[] {
  return Array.from({ length: BATCH }, (_, index) => ({
    eventType: 'campaign.sent',
    payload: { index: offset + index, text: PAD },
    targetUrl: 'https://receiver.example.test/hooks',
  }));
}

async function filled(count: number) {
  const store = createMemoryStore();
  const start = performance.now();
  for (let offset = 0; offset < count; offset += BATCH) await store.insertMany(batch(offset));
  return { store, insertSeconds: (performance.now() - start) / 1000 };
}

async function claimAndRecord(pending: number): Promise<{ rowsPerSec: number; insertRowsPerSec: number }> {
  const { store, insertSeconds } = await filled(pending);
  let rows = 0;
  const start = performance.now();
  while (rows < CLAIMED) {
    const claimed = await store.claimDue({ workerId: 'bench', limit: CLAIM, leaseMs: 60_000 });
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
    rows += claimed.length;
  }
  const seconds = (performance.now() - start) / 1000;
  if ((await store.countByStatus()).delivered !== rows) throw new Error('delivered count mismatch');
  await store.close();
  return { rowsPerSec: rows / seconds, insertRowsPerSec: pending / insertSeconds };
}

const small = await claimAndRecord(SMALL);
const big = await claimAndRecord(BIG);
const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);
const table = [
  ['case', 'rows/s'],
  [`insertMany (${BATCH}/batch, ~1 KB), ${label(BIG)} rows`, Math.round(big.insertRowsPerSec)],
  [`claim ${CLAIM} + recordOutcomes, ${label(SMALL)} pending`, Math.round(small.rowsPerSec)],
  [`claim ${CLAIM} + recordOutcomes, ${label(BIG)} pending`, Math.round(big.rowsPerSec)],
];
for (const [name, value] of table)
  console.log(`| ${String(name).padEnd(48)} | ${String(value).padStart(9)} |`);
const ratio = big.rowsPerSec / small.rowsPerSec;
console.log(`\nclaim+record at ${label(BIG)} / at ${label(SMALL)} pending: ${ratio.toFixed(2)}x`);
console.log(
  JSON.stringify({
    store: 'memory',
    node: process.version,
    quick: QUICK,
    insertManyRowsPerSec: big.insertRowsPerSec,
    claimRecordRowsPerSec: { [label(SMALL)]: small.rowsPerSec, [label(BIG)]: big.rowsPerSec },
    bigToSmallClaimRatio: ratio,
  }),
);
