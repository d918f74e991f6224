// Enqueue -> delivered throughput of @hooks/engine on each store, next to a raw undici POST loop to the same
// receiver (a separate process) in the same run. Not a test: prints a table and writes bench/results/engine.json.
// Run: pnpm bench:engine (root) or pnpm --filter @hooks/engine bench [--quick] [--n=N] [--stores=memory,sqlite]
//      [--concurrency=16,64] [--rounds=R] [--profile=raw,memory,sqlite,postgres] [--calls]
// Every case is warmed up first (untimed runs of min(1000, N/5) events), so JIT compilation is not measured.
// With --rounds=R each (store, concurrency) pair runs R interleaved raw/engine pairs and reports the median
// ratio. --profile writes a V8 CPU profile of the named cases (last round) to the temp directory and prints
// where the time went per event. --calls counts the store calls of each case (and rows per call).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebhookEvent, WebhookStore } from '@hooks/core';
import { createDispatcher, type DispatcherOptions } from '@hooks/engine';
import pg from 'pg';
import { inLoops, type Measured, measured, payload, rawLoop, signedFloorLoop } from './baseline-loops.js';
import { type BenchReceiver, startReceiver } from './bench-receiver.js';
import { BENCH_DATABASE_URL, type BenchStoreKind, openBenchStore } from './bench-store.js';
import { type ProfileSummary, startCpuProfile, summarizeProfile } from './cpu-profile.js';
import { postgresCpuUs } from './server-cpu.js';

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
/** The receiver listens on 127.0.0.1: let deliveries to loopback past the SSRF guard. */
const LOOPBACK_ALLOWED = { ssrfGuard: { allowLoopback: true } } as Partial<DispatcherOptions>;
const TARGETS: Record<StoreKind, number> = { memory: 0.9, sqlite: 0.6, postgres: 0.6 };

type StoreKind = BenchStoreKind;
/** A measured run with the CPU it cost the other processes: the receiver, and PostgreSQL when it is local. */
interface Costed extends Measured {
  /** The receiver's CPU time per event, in microseconds. */
  receiverCpuUs: number;
  /** PostgreSQL's CPU time per event, in microseconds (postgres runs only; null when /proc cannot tell). */
  databaseCpuUs: number | null;
}

interface Row extends Costed {
  name: string;
  store: StoreKind | null;
  ratioToRaw: number | null;
  target: number | null;
  /** Raw's CPU per request divided by this run's CPU per event (1 = as cheap as the raw loop). */
  cpuRatioToRaw: number | null;
}

/** Runs `work`, adding what it cost the receiver per event (`work` measures PostgreSQL itself). */
async function costed(
  receiver: BenchReceiver,
  work: () => Promise<Measured & { databaseCpuUs?: number | null }>,
): Promise<Costed> {
  const receiverBefore = (await receiver.count()).cpuUs;
  const result = await work();
  const receiverCpuUs = Math.round(((await receiver.count()).cpuUs - receiverBefore) / result.events);
  return { ...result, receiverCpuUs, databaseCpuUs: result.databaseCpuUs ?? null };
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
): Promise<Measured & { databaseCpuUs: number | null }> {
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
  // PostgreSQL's CPU over the timed part only (not the schema's creation and migrations).
  const databaseBefore = kind === 'postgres' ? postgresCpuUs() : undefined;
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
  const databaseAfter = kind === 'postgres' ? postgresCpuUs() : undefined;
  const { totals } = dispatcher.diagnostics();
  await dispatcher.close();
  await dispose();
  if (CALLS && events === N) printCalls(kind, concurrency, events, calls);
  if (totals.delivered !== events) throw new Error(`${kind}: delivered ${totals.delivered} of ${events}`);
  const databaseCpuUs =
    databaseBefore === undefined || databaseAfter === undefined
      ? null
      : Math.round((databaseAfter - databaseBefore) / events);
  return { ...result, databaseCpuUs };
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

/** A bench case: the signed floor, or the engine on one store. */
type CaseKind = 'floor' | StoreKind;

/** Median ratios to raw per (case, concurrency) over the rounds. */
interface Summary {
  case: CaseKind;
  concurrency: number;
  rounds: number;
  ratioToRaw: number;
  /** The target for this store (none for the floor). */
  target: number | null;
  met: boolean | null;
  cpuUsPerEvent: number;
  rawCpuUsPerEvent: number;
  cpuRatioToRaw: number;
  receiverCpuUs: number;
  databaseCpuUs: number | null;
}

/** One timed run of `kind` (profiled when asked for), with what it cost the other processes. */
function runCase(
  receiver: BenchReceiver,
  kind: CaseKind | 'raw',
  name: string,
  concurrency: number,
  profile: boolean,
) {
  const work = (): Promise<Measured & { databaseCpuUs?: number | null }> =>
    kind === 'raw'
      ? rawLoop(receiver.url, concurrency, N)
      : kind === 'floor'
        ? signedFloorLoop(receiver.url, SECRET, concurrency, N)
        : engineRun(receiver.url, kind, concurrency, N);
  return costed(receiver, () => (profile ? profiled(name, work) : work()));
}

function summarize(kind: CaseKind, concurrency: number, pairs: { raw: Costed; run: Costed }[]): Summary {
  const ratioToRaw = round2(median(pairs.map((pair) => pair.run.perSecond / pair.raw.perSecond)));
  const target = kind === 'floor' ? null : TARGETS[kind];
  const database = pairs.map((pair) => pair.run.databaseCpuUs).filter((value) => value !== null);
  return {
    case: kind,
    concurrency,
    rounds: pairs.length,
    ratioToRaw,
    target,
    met: target === null ? null : ratioToRaw >= target,
    cpuUsPerEvent: median(pairs.map((pair) => pair.run.cpuUsPerEvent)),
    rawCpuUsPerEvent: median(pairs.map((pair) => pair.raw.cpuUsPerEvent)),
    cpuRatioToRaw: round2(median(pairs.map((pair) => pair.raw.cpuUsPerEvent / pair.run.cpuUsPerEvent))),
    receiverCpuUs: median(pairs.map((pair) => pair.run.receiverCpuUs)),
    databaseCpuUs: database.length === 0 ? null : median(database),
  };
}

const caseName = (kind: CaseKind): string =>
  kind === 'floor' ? 'signed floor (no store)' : `engine on ${kind}`;

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const stores =
    STORES.includes('postgres') && !(await postgresReachable())
      ? STORES.filter((s) => s !== 'postgres')
      : STORES;
  if (stores.length !== STORES.length) console.warn('PostgreSQL unreachable: skipping the postgres rows');
  const cases: CaseKind[] = ['floor', ...stores];
  const loadBefore = loadavg();
  const before = (await receiver.count()).count;
  let warmedUp = 0;
  // Untimed warm-up of every code path (raw loop, floor and each store), so the first timed case is not JIT time.
  if (WARMUP > 0) {
    await rawLoop(receiver.url, CONCURRENCY[0]!, WARMUP);
    await signedFloorLoop(receiver.url, SECRET, CONCURRENCY[0]!, WARMUP);
    for (const kind of stores) await engineRun(receiver.url, kind, CONCURRENCY[0]!, WARMUP);
    warmedUp = WARMUP * (cases.length + 1);
  }
  const rows: Row[] = [];
  const summaries: Summary[] = [];
  for (const concurrency of CONCURRENCY) {
    for (const kind of cases) {
      const pairs: { raw: Costed; run: Costed }[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const last = round === ROUNDS;
        const suffix = `c${concurrency}`;
        // A fresh raw baseline right before each run, so a noisy neighbour skews both alike.
        const raw = await runCase(receiver, 'raw', `raw-${kind}-${suffix}`, concurrency, last);
        rows.push({
          name: 'raw undici POST loop',
          store: null,
          ratioToRaw: null,
          target: null,
          ...raw,
          cpuRatioToRaw: null,
        });
        const run = await runCase(receiver, kind, `${kind}-${suffix}`, concurrency, last);
        const ratio = round2(run.perSecond / raw.perSecond);
        const cpuRatio = round2(raw.cpuUsPerEvent / run.cpuUsPerEvent);
        rows.push({
          name: caseName(kind),
          store: kind === 'floor' ? null : kind,
          ratioToRaw: ratio,
          target: kind === 'floor' ? null : TARGETS[kind],
          ...run,
          cpuRatioToRaw: cpuRatio,
        });
        pairs.push({ raw, run });
        console.log(
          `c=${concurrency} ${kind} round ${round}: ${run.perSecond}/s vs raw ${raw.perSecond}/s ` +
            `(x${ratio}; cpu ${run.cpuUsPerEvent} vs ${raw.cpuUsPerEvent} us/event, x${cpuRatio}) load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
      summaries.push(summarize(kind, concurrency, pairs));
    }
  }
  const received = (await receiver.count()).count - before;
  receiver.stop();
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
      'receiver us': row.receiverCpuUs,
      'postgres us': row.databaseCpuUs ?? '',
    })),
  );
  console.log(`median over ${ROUNDS} round(s) per case (CPU per event, in microseconds, of each process):`);
  console.table(
    summaries.map((summary) => ({
      case: summary.case,
      concurrency: summary.concurrency,
      'x raw': summary.ratioToRaw,
      target: summary.target === null ? '' : `>= ${summary.target}`,
      met: summary.met === null ? '' : summary.met ? 'yes' : 'NO',
      'sender us': summary.cpuUsPerEvent,
      'raw sender us': summary.rawCpuUsPerEvent,
      'cpu x raw': summary.cpuRatioToRaw,
      'receiver us': summary.receiverCpuUs,
      'postgres us': summary.databaseCpuUs ?? '',
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
      latency: 'enqueue call -> onSettled (engine); request start -> response read (raw, floor)',
      producers: 'concurrency enqueue loops; queue block, capacity 1000; scheduler running',
      baseline: 'raw undici loop with the same concurrency, run right before each case',
      floor:
        'event id + Standard Webhooks signature + undici raw handler, no store: what any signed sender pays',
      cpu: 'CPU time per event of the sender, the receiver process and (postgres runs) every local postgres process',
      warmup: `${WARMUP} untimed events through the raw loop, the floor and each store before the timed runs`,
      summary: 'median over the rounds of each (case, concurrency) pair',
    },
    summaries,
    rows,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'engine.json'), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
