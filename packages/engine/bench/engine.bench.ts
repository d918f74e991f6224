// Enqueue -> delivered throughput of @hooks/engine on each store, next to a raw undici POST loop to the same
// receiver (a separate process) in the same run. Not a test: prints a table and writes bench/results/engine.json.
// Run: pnpm bench:engine (root) or pnpm --filter @hooks/engine bench [--quick] [--n=N] [--stores=memory,sqlite]
//      [--concurrency=16,64] [--rounds=R] [--profile=raw,memory,sqlite,postgres] [--calls]
// Every case is warmed up first (untimed runs of min(1000, N/5) events), so JIT compilation is not measured.
// With --rounds=R each (store, concurrency) pair runs R interleaved raw/engine pairs and reports the median
// ratio. --profile writes a V8 CPU profile of the named cases (last round) to the temp directory and prints
// where the time went per event. --calls counts the store calls of each case (and rows per call).
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebhookEvent, WebhookStore } from '@hooks/core';
import pg from 'pg';
import { Agent, request } from 'undici';
import { createDispatcher, type DispatcherOptions } from '../src/index.js';
import { BENCH_DATABASE_URL, type BenchStoreKind, openBenchStore } from './bench-store.js';
import { type ProfileSummary, startCpuProfile, summarizeProfile } from './cpu-profile.js';

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
const ROUNDS = Number(args.get('rounds') ?? 1);
const WARMUP = Math.min(1000, Math.floor(N / 5));
const CALLS = args.has('calls');
const PROFILE = new Set((args.get('profile') ?? '').split(',').filter((name) => name !== ''));
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const FILLER = 'x'.repeat(960);
/** The receiver listens on 127.0.0.1: let deliveries to loopback past the SSRF guard. */
const LOOPBACK_ALLOWED = { ssrfGuard: { allowLoopback: true } } as Partial<DispatcherOptions>;
const TARGETS: Record<StoreKind, number> = { memory: 0.9, sqlite: 0.6, postgres: 0.6 };

type StoreKind = BenchStoreKind;
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

function measured(
  concurrency: number,
  events: number,
  seconds: number,
  cpu: NodeJS.CpuUsage,
  latencies: number[],
): Measured {
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    events,
    seconds: Math.round(seconds * 1000) / 1000,
    perSecond: Math.round(events / seconds),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuUsPerEvent: Math.round((cpu.user + cpu.system) / events),
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

/** Runs `concurrency` loops that together call `step(seq)` for seq 0 .. events-1. */
async function inLoops(
  concurrency: number,
  events: number,
  step: (seq: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let seq = next++; seq < events; seq = next++) await step(seq);
    }),
  );
}

/** Runs `work` under the CPU profiler when `name` was asked for with --profile; prints the summary. */
async function profiled<T extends Measured>(name: string, work: () => Promise<T>): Promise<T> {
  if (!PROFILE.has(name.split('-')[0]!)) return work();
  const running = await startCpuProfile();
  const result = await work();
  const profile = await running.stop();
  const dir = join(tmpdir(), 'hooks-engine-profiles');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  printProfile(name, file, summarizeProfile(profile, result.events));
  return result;
}

function printProfile(name: string, file: string, summary: ProfileSummary): void {
  console.log(
    `\nprofile ${name}: ${summary.usPerEvent} us/event sampled, ${summary.busyUsPerEvent} busy (${file})`,
  );
  console.table(
    summary.packages.map((entry) => ({ package: entry.name, '%': entry.percent, us: entry.usPerEvent })),
  );
  console.table(
    summary.functions.map((entry) => ({ function: entry.name, '%': entry.percent, us: entry.usPerEvent })),
  );
}

/** The baseline: `concurrency` loops POSTing the same ~1 KB body with undici, no signing, no store. */
async function rawLoop(url: string, concurrency: number, events: number): Promise<Measured> {
  const agent = new Agent({ connections: concurrency });
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inLoops(concurrency, events, async (seq) => {
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
    events,
    (performance.now() - started) / 1000,
    process.cpuUsage(cpu),
    latencies,
  );
  await agent.close();
  return result;
}

/** Wraps `store` so that every call (and the rows of array arguments and results) is counted in `calls`. */
function countingStore(
  store: WebhookStore,
  calls: Map<string, { calls: number; rows: number }>,
): WebhookStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...callArgs: unknown[]) => {
        const entry = calls.get(property) ?? { calls: 0, rows: 0 };
        calls.set(property, entry);
        entry.calls += 1;
        const result = value.apply(target, callArgs);
        if (Array.isArray(callArgs[0])) entry.rows += callArgs[0].length;
        else if (result instanceof Promise && property === 'claimDue') {
          void result.then((rows: unknown[]) => (entry.rows += rows.length)).catch(() => undefined);
        } else entry.rows += 1;
        return result;
      };
    },
  });
}

function printCalls(
  kind: StoreKind,
  concurrency: number,
  events: number,
  calls: Map<string, { calls: number; rows: number }>,
): void {
  console.log(`store calls of ${kind} at c=${concurrency} (${events} events):`);
  console.table(
    [...calls.entries()].map(([method, entry]) => ({
      method,
      calls: entry.calls,
      'calls/event': Math.round((entry.calls / events) * 1000) / 1000,
      'rows/call': Math.round((entry.rows / entry.calls) * 10) / 10,
    })),
  );
}

/** N events through enqueue (from `concurrency` producers) to delivered, with the scheduler running. */
async function engineRun(
  url: string,
  kind: StoreKind,
  concurrency: number,
  events: number,
): Promise<Measured> {
  const opened = await openBenchStore(kind, 'hooks-bench');
  const { dispose } = opened;
  const calls = new Map<string, { calls: number; rows: number }>();
  const store = CALLS ? countingStore(opened.store, calls) : opened.store;
  const startedAt = new Float64Array(events);
  const latencies: number[] = [];
  let settled = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const dispatcher = createDispatcher({
    ...LOOPBACK_ALLOWED,
    store,
    targetUrl: url,
    secret: SECRET,
    concurrency,
    perOriginConcurrency: concurrency,
    queue: { capacity: 1000, policy: 'block', blockTimeoutMs: 600_000 },
    onSettled: (event: WebhookEvent) => {
      latencies.push(performance.now() - startedAt[(event.payload as { seq: number }).seq]!);
      if (++settled === events) finish();
    },
  });
  dispatcher.start();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inLoops(concurrency, events, async (seq) => {
    startedAt[seq] = performance.now();
    await dispatcher.enqueue('bench.event', payload(seq));
  });
  await finished;
  const result = measured(
    concurrency,
    events,
    (performance.now() - started) / 1000,
    process.cpuUsage(cpu),
    latencies,
  );
  const { totals } = dispatcher.diagnostics();
  await dispatcher.close();
  await dispose();
  if (CALLS && events === N) printCalls(kind, concurrency, events, calls);
  if (totals.delivered !== events) throw new Error(`${kind}: delivered ${totals.delivered} of ${events}`);
  return result;
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 3000 });
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Median ratios to raw per (store, concurrency) over the rounds. */
interface Summary {
  store: StoreKind;
  concurrency: number;
  rounds: number;
  ratioToRaw: number;
  target: number;
  met: boolean;
  cpuUsPerEvent: number;
  rawCpuUsPerEvent: number;
  cpuRatioToRaw: number;
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const stores =
    STORES.includes('postgres') && !(await postgresReachable())
      ? STORES.filter((s) => s !== 'postgres')
      : STORES;
  if (stores.length !== STORES.length) console.warn('PostgreSQL unreachable: skipping the postgres rows');
  const loadBefore = loadavg();
  const before = await receiver.count();
  let warmedUp = 0;
  // Untimed warm-up of every code path (raw loop and each store), so the first timed case is not JIT time.
  if (WARMUP > 0) {
    await rawLoop(receiver.url, CONCURRENCY[0]!, WARMUP);
    for (const kind of stores) await engineRun(receiver.url, kind, CONCURRENCY[0]!, WARMUP);
    warmedUp = WARMUP * (stores.length + 1);
  }
  const rows: Row[] = [];
  const summaries: Summary[] = [];
  for (const concurrency of CONCURRENCY) {
    for (const kind of stores) {
      const pairs: { raw: Measured; run: Measured }[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const last = round === ROUNDS;
        const suffix = `c${concurrency}`;
        // A fresh raw baseline right before each engine run, so a noisy neighbour skews both alike.
        const raw = await (last
          ? profiled(`raw-${kind}-${suffix}`, () => rawLoop(receiver.url, concurrency, N))
          : rawLoop(receiver.url, concurrency, N));
        rows.push({
          name: 'raw undici POST loop',
          store: null,
          ratioToRaw: null,
          target: null,
          ...raw,
          cpuRatioToRaw: null,
        });
        const run = await (last
          ? profiled(`${kind}-${suffix}`, () => engineRun(receiver.url, kind, concurrency, N))
          : engineRun(receiver.url, kind, concurrency, N));
        const ratio = round2(run.perSecond / raw.perSecond);
        const cpuRatio = round2(raw.cpuUsPerEvent / run.cpuUsPerEvent);
        rows.push({
          name: `engine on ${kind}`,
          store: kind,
          ratioToRaw: ratio,
          target: TARGETS[kind],
          ...run,
          cpuRatioToRaw: cpuRatio,
        });
        pairs.push({ raw, run });
        console.log(
          `c=${concurrency} ${kind} round ${round}: ${run.perSecond}/s vs raw ${raw.perSecond}/s ` +
            `(x${ratio}; cpu ${run.cpuUsPerEvent} vs ${raw.cpuUsPerEvent} us/event, x${cpuRatio}) load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
      const ratioToRaw = round2(median(pairs.map((pair) => pair.run.perSecond / pair.raw.perSecond)));
      const cpuUsPerEvent = median(pairs.map((pair) => pair.run.cpuUsPerEvent));
      const rawCpuUsPerEvent = median(pairs.map((pair) => pair.raw.cpuUsPerEvent));
      summaries.push({
        store: kind,
        concurrency,
        rounds: pairs.length,
        ratioToRaw,
        target: TARGETS[kind],
        met: ratioToRaw >= TARGETS[kind],
        cpuUsPerEvent,
        rawCpuUsPerEvent,
        cpuRatioToRaw: round2(median(pairs.map((pair) => pair.raw.cpuUsPerEvent / pair.run.cpuUsPerEvent))),
      });
    }
  }
  const received = (await receiver.count()) - before;
  receiver.child.send({ type: 'exit' });
  const loadAfter = loadavg();

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
  console.log(`median over ${ROUNDS} round(s) per case:`);
  console.table(
    summaries.map((summary) => ({
      store: summary.store,
      concurrency: summary.concurrency,
      'x raw': summary.ratioToRaw,
      target: `>= ${summary.target}`,
      met: summary.met ? 'yes' : 'NO',
      'cpu us/event': summary.cpuUsPerEvent,
      'raw cpu us/event': summary.rawCpuUsPerEvent,
      'cpu x raw': summary.cpuRatioToRaw,
    })),
  );
  const fmt = (load: number[]): string => load.map((value) => value.toFixed(2)).join(' / ');
  console.log(`load average (1/5/15 min) before ${fmt(loadBefore)}, after ${fmt(loadAfter)}`);
  const expected = rows.reduce((sum, row) => sum + row.events, 0) + warmedUp;
  console.log(`receiver counted ${received} requests (expected ${expected})`);
  const results = {
    node: process.version,
    date: new Date().toISOString(),
    events: N,
    rounds: ROUNDS,
    quick: QUICK,
    loadAverage: { before: fmt(loadBefore), after: fmt(loadAfter) },
    method: {
      latency: 'enqueue call -> onSettled (engine); request start -> body read (raw)',
      producers: 'concurrency enqueue loops; queue block, capacity 1000; scheduler running',
      baseline: 'raw undici loop with the same concurrency, run right before each engine case',
      warmup: `${WARMUP} untimed events through the raw loop and each store before the timed runs`,
      summary: 'median over the rounds of each (store, concurrency) pair',
    },
    summaries,
    rows,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'engine.json'), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
