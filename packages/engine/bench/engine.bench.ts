// Enqueue -> delivered throughput of @hooks/engine on each store, next to a raw undici POST loop to the same
// receiver (a separate process) in the same run. Not a test: prints a table and writes bench/results/engine.json.
// Run: pnpm bench:engine (root) or pnpm --filter @hooks/engine bench [--quick] [--n=N] [--stores=memory,sqlite]
//      [--concurrency=16,64]
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebhookEvent, WebhookStore } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { createPostgresStore } from '@hooks/store-postgres';
import { createSqliteStore } from '@hooks/store-sqlite';
import pg from 'pg';
import { Agent, request } from 'undici';
import { createDispatcher } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key!, value ?? 'true'] as const;
  }),
);
const QUICK = args.has('quick');
const N = Number(args.get('n') ?? (QUICK ? 1000 : 10_000));
const CONCURRENCY = (args.get('concurrency') ?? '16,64,256').split(',').map(Number);
const STORES = (args.get('stores') ?? 'memory,sqlite,postgres').split(',') as StoreKind[];
const DATABASE_URL = process.env.HOOKS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const FILLER = 'x'.repeat(960);
const TARGETS: Record<StoreKind, number> = { memory: 0.9, sqlite: 0.6, postgres: 0.6 };

type StoreKind = 'memory' | 'sqlite' | 'postgres';
interface Row {
  name: string;
  store: StoreKind | null;
  concurrency: number;
  events: number;
  seconds: number;
  perSecond: number;
  ratioToRaw: number | null;
  target: number | null;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of this (sending) process per event, in microseconds: robust to a noisy machine. */
  cpuUsPerEvent: number;
  /** Raw's CPU per request divided by this run's CPU per event (1 = as cheap as the raw loop). */
  cpuRatioToRaw: number | null;
}

type Measured = Omit<Row, 'name' | 'store' | 'ratioToRaw' | 'target' | 'cpuRatioToRaw'>;

function measured(concurrency: number, seconds: number, cpu: NodeJS.CpuUsage, latencies: number[]): Measured {
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    events: N,
    seconds: Math.round(seconds * 1000) / 1000,
    perSecond: Math.round(N / seconds),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuUsPerEvent: Math.round((cpu.user + cpu.system) / N),
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 100) / 100;
}

function payload(seq: number): { seq: number; kind: string; data: string } {
  return { seq, kind: 'bench', data: FILLER };
}

async function startReceiver(): Promise<{ url: string; child: ChildProcess; count(): Promise<number> }> {
  const child = fork(join(here, 'receiver-process.mjs'), [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { type: string; port: number }) => resolve(message.port));
    child.once('error', reject);
  });
  const count = () =>
    new Promise<number>((resolve) => {
      const onMessage = (message: { type: string; count: number }) => {
        if (message.type !== 'count') return;
        child.off('message', onMessage);
        resolve(message.count);
      };
      child.on('message', onMessage);
      child.send({ type: 'count' });
    });
  return { url: `http://127.0.0.1:${port}/hook`, child, count };
}

/** Runs `concurrency` loops that together call `step(seq)` for seq 0 .. N-1. */
async function inLoops(concurrency: number, step: (seq: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let seq = next++; seq < N; seq = next++) await step(seq);
    }),
  );
}

/** The baseline: `concurrency` loops POSTing the same ~1 KB body with undici, no signing, no store. */
async function rawLoop(url: string, concurrency: number): Promise<Measured> {
  const agent = new Agent({ connections: concurrency });
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inLoops(concurrency, async (seq) => {
    const begin = performance.now();
    const response = await request(url, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload(seq)),
    });
    await response.body.dump();
    latencies.push(performance.now() - begin);
  });
  const result = measured(
    concurrency,
    (performance.now() - started) / 1000,
    process.cpuUsage(cpu),
    latencies,
  );
  await agent.close();
  return result;
}

async function openStore(kind: StoreKind): Promise<{ store: WebhookStore; dispose(): Promise<void> }> {
  if (kind === 'memory') {
    const store = createMemoryStore();
    return { store, dispose: () => store.close() };
  }
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hooks-bench-'));
    const store = createSqliteStore({ filename: join(dir, 'bench.db') });
    await store.init();
    return {
      store,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `hooks_bench_${process.pid}_${Date.now()}`;
  const store = createPostgresStore({ connectionString: DATABASE_URL, schema });
  await store.init();
  return {
    store,
    dispose: async () => {
      await store.close();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

/** N events through enqueue (from `concurrency` producers) to delivered, with the scheduler running. */
async function engineRun(url: string, kind: StoreKind, concurrency: number): Promise<Measured> {
  const { store, dispose } = await openStore(kind);
  const startedAt = new Float64Array(N);
  const latencies: number[] = [];
  let settled = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const dispatcher = createDispatcher({
    store,
    targetUrl: url,
    secret: SECRET,
    concurrency,
    perOriginConcurrency: concurrency,
    queue: { capacity: 1000, policy: 'block', blockTimeoutMs: 600_000 },
    onSettled: (event: WebhookEvent) => {
      latencies.push(performance.now() - startedAt[(event.payload as { seq: number }).seq]!);
      if (++settled === N) finish();
    },
  });
  dispatcher.start();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inLoops(concurrency, async (seq) => {
    startedAt[seq] = performance.now();
    await dispatcher.enqueue('bench.event', payload(seq));
  });
  await finished;
  const result = measured(
    concurrency,
    (performance.now() - started) / 1000,
    process.cpuUsage(cpu),
    latencies,
  );
  const { totals } = dispatcher.diagnostics();
  await dispatcher.close();
  await dispose();
  if (totals.delivered !== N) throw new Error(`${kind}: delivered ${totals.delivered} of ${N}`);
  return result;
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const stores =
    STORES.includes('postgres') && !(await postgresReachable())
      ? STORES.filter((s) => s !== 'postgres')
      : STORES;
  if (stores.length !== STORES.length) console.warn('PostgreSQL unreachable: skipping the postgres rows');
  const rows: Row[] = [];
  const before = await receiver.count();
  for (const concurrency of CONCURRENCY) {
    for (const kind of stores) {
      // A fresh raw baseline right before each engine run, so a noisy neighbour skews both alike.
      const raw = await rawLoop(receiver.url, concurrency);
      rows.push({
        name: 'raw undici POST loop',
        store: null,
        ratioToRaw: null,
        target: null,
        ...raw,
        cpuRatioToRaw: null,
      });
      const run = await engineRun(receiver.url, kind, concurrency);
      const ratio = Math.round((run.perSecond / raw.perSecond) * 100) / 100;
      const cpuRatio = Math.round((raw.cpuUsPerEvent / run.cpuUsPerEvent) * 100) / 100;
      rows.push({
        name: `engine on ${kind}`,
        store: kind,
        ratioToRaw: ratio,
        target: TARGETS[kind],
        ...run,
        cpuRatioToRaw: cpuRatio,
      });
      console.log(
        `c=${concurrency} ${kind}: ${run.perSecond}/s vs raw ${raw.perSecond}/s (x${ratio}; cpu x${cpuRatio})`,
      );
    }
  }
  const received = (await receiver.count()) - before;
  receiver.child.send({ type: 'exit' });

  console.log(
    `\n@hooks/engine: ${N} signed ~1 KB events per run, enqueue -> delivered (receiver in another process)\n`,
  );
  console.table(
    rows.map((row) => ({
      case: row.name,
      concurrency: row.concurrency,
      'deliveries/s': Math.round(row.perSecond),
      'x raw': row.ratioToRaw ?? '',
      target: row.target === null ? '' : `>= ${row.target}`,
      'p50 ms': row.p50Ms,
      'p99 ms': row.p99Ms,
      'cpu us/event': row.cpuUsPerEvent,
      'cpu x raw': row.cpuRatioToRaw ?? '',
    })),
  );
  const expected = rows.reduce((sum, row) => sum + row.events, 0);
  console.log(`receiver counted ${received} requests (expected ${expected})`);
  const results = {
    node: process.version,
    date: new Date().toISOString(),
    events: N,
    quick: QUICK,
    method: {
      latency: 'enqueue call -> onSettled (engine); request start -> body read (raw)',
      producers:
        'min(concurrency, 64) concurrent enqueue loops; queue block, capacity 1000; scheduler running',
      baseline: 'raw undici loop with the same concurrency, run right before each engine case',
    },
    rows,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'engine.json'), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
