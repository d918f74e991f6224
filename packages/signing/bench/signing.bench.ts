// Sign and verify throughput of @hooks/signing against raw node:crypto and the standardwebhooks package.
// Run: pnpm --filter @hooks/signing bench (or pnpm bench:signing at the root). Not a test: prints figures.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as reference from 'standardwebhooks';
import { createStandardWebhooksScheme, Webhook } from '../src/index.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SIZES = [1024, 64 * 1024];
const WARMUP_MS = 150;
// 10 x 100 ms = 1 s measured per case. Rounds interleave the cases (order reversed every other round) and
// each ratio is taken against the raw baseline of the same round, so a noisy neighbour skews both alike.
const ROUNDS = 10;
const ROUND_MS = 100;

type Case = { name: string; baseline?: boolean; run: () => unknown };
interface Row {
  op: 'sign' | 'verify';
  size: number;
  name: string;
  opsPerSec: number;
  ratioToRaw: number | null;
}

let sink = 0;

// Time is this process's CPU time (user + system, all threads), not wall time: other processes on a shared
// machine then slow the figures far less. On an idle machine the two agree for this single-threaded loop.
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function opsPerSecond(run: () => unknown, ms: number): number {
  const budget = ms * 1000;
  const start = cpuMicros();
  const wallLimit = performance.now() + ms * 4; // a starved process still finishes in time
  let count = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < 32; i++) {
      const out = run();
      if (out === undefined) sink++;
    }
    count += 32;
    elapsed = cpuMicros() - start;
  } while (elapsed < budget && performance.now() < wallLimit);
  return count / (elapsed / 1e6);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measured {
  opsPerSec: number;
  ratioToRaw: number | null;
}

function measure(cases: Case[]): Map<string, Measured> {
  for (const c of cases) opsPerSecond(c.run, WARMUP_MS);
  const baseline = cases.find((c) => c.baseline)!;
  const speeds = new Map(cases.map((c) => [c.name, [] as number[]]));
  const ratios = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    const thisRound = new Map(order.map((c) => [c.name, opsPerSecond(c.run, ROUND_MS)]));
    for (const c of cases) {
      speeds.get(c.name)!.push(thisRound.get(c.name)!);
      ratios.get(c.name)!.push(thisRound.get(c.name)! / thisRound.get(baseline.name)!);
    }
  }
  return new Map(
    cases.map((c) => [
      c.name,
      { opsPerSec: median(speeds.get(c.name)!), ratioToRaw: c.baseline ? null : median(ratios.get(c.name)!) },
    ]),
  );
}

// Several messages, cycled: a sender signs a different id, time and body each call, and constant inputs would
// let V8 fold the raw baseline's "id.ts.body" string into a constant.
const MESSAGES = 4;

function body(size: number, variant: number): string {
  const head = `{"type":"campaign.sent","n":${variant},"data":{"text":"`;
  const tail = '"}}';
  return head + 'x'.repeat(size - head.length - tail.length) + tail;
}

function casesFor(size: number): { sign: Case[]; verify: Case[] } {
  const ours = new Webhook(SECRET);
  const scheme = createStandardWebhooksScheme({ secret: SECRET });
  const theirs = new reference.Webhook(SECRET);
  const start = Date.now();
  const messages = Array.from({ length: MESSAGES }, (_, n) => {
    const id = `${ID}${n}`;
    const date = new Date(start - n * 1000);
    const payload = body(size, n);
    const headers = scheme.sign({ id, timestamp: date, body: payload });
    const seconds = Math.floor(date.getTime() / 1000);
    return { id, date, seconds, payload, headers, signature: headers['webhook-signature']!.slice(3) };
  });
  let i = 0;
  const next = () => messages[i++ & (MESSAGES - 1)]!;
  const rawSign = (m: (typeof messages)[number]) =>
    createHmac('sha256', KEY).update(`${m.id}.${m.seconds}.${m.payload}`).digest('base64');

  return {
    sign: [
      { name: 'raw node:crypto', baseline: true, run: () => rawSign(next()) },
      {
        name: '@hooks/signing Webhook.sign',
        run: () => {
          const m = next();
          return ours.sign(m.id, m.date, m.payload);
        },
      },
      {
        name: '@hooks/signing scheme.sign',
        run: () => {
          const m = next();
          return scheme.sign({ id: m.id, timestamp: m.date, body: m.payload });
        },
      },
      {
        name: 'standardwebhooks sign',
        run: () => {
          const m = next();
          return theirs.sign(m.id, m.date, m.payload);
        },
      },
    ],
    verify: [
      {
        name: 'raw node:crypto',
        baseline: true,
        run: () => {
          const m = next();
          return timingSafeEqual(Buffer.from(rawSign(m)), Buffer.from(m.signature));
        },
      },
      {
        name: '@hooks/signing Webhook.verify',
        run: () => {
          const m = next();
          return ours.verify(m.payload, m.headers, { jsonParse: false }) ?? 1;
        },
      },
      {
        name: '@hooks/signing scheme.verify',
        run: () => {
          const m = next();
          return scheme.verify(m.payload, m.headers);
        },
      },
      {
        name: 'standardwebhooks verify',
        run: () => {
          const m = next();
          return theirs.verify(m.payload, m.headers, { jsonParse: false }) ?? 1;
        },
      },
    ],
  };
}

function rowsFor(op: Row['op'], size: number, cases: Case[]): Row[] {
  const results = measure(cases);
  return cases.map((c) => ({ op, size, name: c.name, ...results.get(c.name)! }));
}

const rows: Row[] = [];
for (const size of SIZES) {
  const { sign, verify } = casesFor(size);
  rows.push(...rowsFor('sign', size, sign), ...rowsFor('verify', size, verify));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  '\n@hooks/signing benchmark: medians of %d interleaved %d ms (CPU time) rounds, node %s;' +
    ' x raw is the median of the per-round ratios\n',
  ROUNDS,
  ROUND_MS,
  process.version,
);
console.log(['op', 'size', 'implementation', 'ops/s', 'x raw'].join(' | '));
console.log('--- | --- | --- | ---: | ---:');
for (const row of rows) {
  const ratio = row.ratioToRaw === null ? '1.00 (baseline)' : row.ratioToRaw.toFixed(2);
  console.log([row.op, `${row.size / 1024} KiB`, row.name, fmt(row.opsPerSec), ratio].join(' | '));
}

const report = {
  node: process.version,
  date: new Date().toISOString(),
  method: {
    warmupMs: WARMUP_MS,
    rounds: ROUNDS,
    roundMs: ROUND_MS,
    statistic: 'median of per-round values',
    clock: 'process CPU time',
  },
  rows: rows.map((row) => ({
    ...row,
    opsPerSec: Math.round(row.opsPerSec),
    ratioToRaw: row.ratioToRaw === null ? null : Number(row.ratioToRaw.toFixed(3)),
  })),
};
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'signing.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\n${JSON.stringify(report)}\n\nwritten to ${out}`);
if (sink < 0) console.log(sink); // keeps the results alive so no call is optimised away
