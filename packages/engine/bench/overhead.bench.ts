import { loadavg } from 'node:os';
import type { WebhookEvent } from '@hooks/core';
import { createDispatcher, type DispatcherOptions } from '@hooks/engine';
import { Dispatcher } from 'undici';
import { type BenchStoreKind, openBenchStore } from './bench-store.js';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key!, value ?? 'true'] as const;
  }),
);
const N = Number(args.get('n') ?? 20_000);
const ROUNDS = Number(args.get('rounds') ?? 5);
const CONCURRENCY = Number(args.get('concurrency') ?? 64);
const STORES = (args.get('stores') ?? 'memory,sqlite,postgres').split(',') as StoreKind[];
const _BENCH_DATABASE_URL =
  process.env.HOOKS_TEST_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const FILLER = 'x'.repeat(960);
/** The guard would resolve the host before each request through a caller's dispatcher: nothing to guard here. */
const NO_GUARD = { ssrfGuard: false } as Partial<DispatcherOptions>;

type StoreKind = BenchStoreKind;

/** undici's raw handler interface (its dispatchers call it for every handler). */
interface RawHandler {
  onConnect(abort: (error: Error) => void): void;
  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: Buffer[]): void;
}

const OK_HEADERS = [Buffer.from('content-length'), Buffer.from('2')];

/**
 * Answers every request with 200 and a 2-byte body on the next turn of the event loop, through undici's raw
 * handler interface (what the engine's handler implements, as undici's own dispatchers call it).
 */
class InstantDispatcher extends Dispatcher {
  requests = 0;

  override dispatch(_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.requests += 1;
    const raw = handler as unknown as RawHandler;
    setImmediate(() => {
      raw.onConnect(() => undefined);
      raw.onHeaders(200, OK_HEADERS, () => undefined, 'OK');
      raw.onData(Buffer.from('ok'));
      raw.onComplete([]);
    });
    return true;
  }

  override async close(): Promise<void> {}
}

/** `events` enqueues from `CONCURRENCY` producers to settled; returns this process's CPU µs per event. */
async function run(kind: StoreKind, events: number): Promise<{ cpuUs: number; perSecond: number }> {
  const { store, dispose } = await openBenchStore(kind, 'hooks-overhead');
  const http = new InstantDispatcher();
  let settled = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const dispatcher = createDispatcher({
    ...NO_GUARD,
    store,
    httpDispatcher: http,
    targetUrl: 'http://127.0.0.1:9/hook',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    concurrency: CONCURRENCY,
    perOriginConcurrency: CONCURRENCY,
    queue: { capacity: 1000, policy: 'block', blockTimeoutMs: 600_000 },
    onSettled: (_event: WebhookEvent) => {
      if (++settled === events) finish();
    },
  });
  dispatcher.start();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let seq = next++; seq < events; seq = next++) {
        await dispatcher.enqueue('bench.event', { seq, kind: 'bench', data: FILLER });
      }
    }),
  );
  await finished;
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  const { totals } = dispatcher.diagnostics();
  await dispatcher.close();
  await dispose();
  if (totals.delivered !== events || http.requests !== events) {
    throw new Error(`${kind}: delivered ${totals.delivered}, sent ${http.requests}, of ${events}`);
  }
  return { cpuUs: (used.user + used.system) / events, perSecond: events / seconds };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

async function main(): Promise<void> {
  for (const kind of STORES) await run(kind, Math.min(2000, N));
  const results = new Map<StoreKind, { cpuUs: number; perSecond: number }[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of STORES) {
      const result = await run(kind, N);
      results.set(kind, [...(results.get(kind) ?? []), result]);
    }
  }
  console.log(
    `@hooks overhead: ${N} events per run, concurrency ${CONCURRENCY}, instant in-process HTTP answers`,
  );
  console.table(
    [...results.entries()].map(([kind, runs]) => ({
      store: kind,
      'cpu us/event (median)': Math.round(median(runs.map((r) => r.cpuUs)) * 10) / 10,
      'cpu us/event (min)': Math.round(Math.min(...runs.map((r) => r.cpuUs)) * 10) / 10,
      'cpu us/event (rounds)': runs.map((r) => Math.round(r.cpuUs)).join(' '),
      'events/s (median)': Math.round(median(runs.map((r) => r.perSecond))),
    })),
  );
  console.log(
    `load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' / ')}`,
  );
}

await main();
