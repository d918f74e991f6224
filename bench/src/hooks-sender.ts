import type { ChildProcess } from 'node:child_process';
import type { WebhookEvent, WebhookStore } from '@hooks/core';
import { createDispatcher, type Dispatcher } from '@hooks/engine';
import { BENCH_EVENT_TYPE, BENCH_SECRET, benchPayload, epochMs } from './bench-event.js';
import { benchLogger } from './bench-logger.js';
import { exited, forkScript, nextMessage } from './child-process.js';
import type { DeliveryMeasurement, EnqueueMode, StoreKind } from './result-types.js';
import { round, summarize } from './stats.js';
import { dropStoreLocation, newStoreLocation, openStore, type StoreLocation } from './store-factory.js';

/** Options of `runHooksSender`. */
export interface HooksSenderOptions {
  /** Receiver URL. */
  url: string;
  /** Events to send and time. */
  events: number;
  /** Events sent (and delivered) first, untimed, so that the timed part runs warm. */
  warmup: number;
  /** Attempts in flight per dispatcher (`concurrency` and `perOriginConcurrency`). */
  concurrency: number;
  /** Which store. */
  store: StoreKind;
  /** `enqueue` one by one (from `concurrency` producers) or `enqueueMany` batches. */
  enqueue: EnqueueMode;
  /** 1: the producing dispatcher delivers; 2: two other dispatchers deliver through their schedulers. */
  workers: 1 | 2;
  /** PostgreSQL URL (Postgres store only). */
  databaseUrl: string;
}

/** CPU and peak memory of a worker child process. */
export interface WorkerUsage {
  /** Peak RSS in bytes. */
  peakRssBytes: number;
  /** CPU time (user + system) in microseconds. */
  cpuMicros: number;
}

/** Engine counters that flag trouble during a run, summed over its dispatchers. */
export interface EngineIncidents {
  /** Store calls that failed (claims, outcome writes, releases). */
  storeErrors: number;
  /** Outcomes refused because another worker had taken the row. */
  leaseLosses: number;
  /** Attempts that failed and were scheduled again. */
  retried: number;
}

/** The incident counters of one dispatcher. */
export function incidentsOf(dispatcher: Dispatcher): EngineIncidents {
  const { storeErrors, leaseLosses, retried } = dispatcher.diagnostics().totals;
  return { storeErrors, leaseLosses, retried };
}

function addIncidents(into: EngineIncidents, more: EngineIncidents): void {
  into.storeErrors += more.storeErrors;
  into.leaseLosses += more.leaseLosses;
  into.retried += more.retried;
}

/** What `runHooksSender` measured, plus the usage of any worker child processes. */
export interface HooksSenderResult extends DeliveryMeasurement {
  /** Usage of worker processes other than the caller's (two-worker runs on SQLite and Postgres). */
  workerUsage: WorkerUsage[];
  /** Store errors, lease losses and retries of every dispatcher of the run. */
  incidents: EngineIncidents;
}

/** Rows per `enqueueMany` call in batch mode (the scheduler's claim size too). */
export const ENQUEUE_BATCH = 100;
/** Concurrent `enqueueMany` callers in batch mode. */
const BATCH_PRODUCERS = 2;
/** Scheduler poll interval of the two-worker runs (SQLite cannot wake another process). */
export const WORKER_POLL_MS = 50;
/** No delivery for this long means the run is stuck. */
const STALL_MS = 60_000;

/** Messages of `hooks-worker-child.ts`. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'settled'; seqs: number[]; at: number[]; failed: number }
  | { type: 'closed'; usage: WorkerUsage; incidents: EngineIncidents };

/** Tracks settled events; `wait(n)` resolves once `n` have settled. */
class Settlement {
  readonly deliveredAt: Float64Array;
  settled = 0;
  failed = 0;
  lastProgress = Date.now();
  private waiter: { target: number; resolve: () => void } | undefined;

  constructor(readonly events: number) {
    this.deliveredAt = new Float64Array(events);
  }

  add(seq: number, at: number, delivered: boolean): void {
    this.deliveredAt[seq] = at;
    if (!delivered) this.failed += 1;
    this.lastProgress = Date.now();
    this.settled += 1;
    if (this.waiter !== undefined && this.settled >= this.waiter.target) this.waiter.resolve();
  }

  onSettled = (event: WebhookEvent): void => {
    this.add((event.payload as { seq: number }).seq, epochMs(), event.status === 'delivered');
  };

  /** Waits until `target` events have settled, failing if nothing settles for `STALL_MS`. */
  async wait(target: number, describe: () => string): Promise<void> {
    if (this.settled >= target) return;
    let timer: NodeJS.Timeout | undefined;
    const reached = new Promise<void>((resolve) => {
      this.waiter = { target, resolve };
    });
    const stalled = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        if (Date.now() - this.lastProgress > STALL_MS) {
          reject(new Error(`stalled at ${this.settled}/${target} settled: ${describe()}`));
        }
      }, 1000);
    });
    try {
      await Promise.race([reached, stalled]);
    } finally {
      clearInterval(timer);
      this.waiter = undefined;
    }
  }
}

function dispatcherFor(
  store: WebhookStore,
  options: HooksSenderOptions,
  settlement?: Settlement,
): Dispatcher {
  return createDispatcher({
    // The bench receiver listens on 127.0.0.1: let deliveries to loopback past the SSRF guard.
    ssrfGuard: { allowLoopback: true },
    store,
    targetUrl: options.url,
    secret: BENCH_SECRET,
    concurrency: options.concurrency,
    perOriginConcurrency: options.concurrency,
    // With two workers the producer only stores events, unleased, for the workers' schedulers.
    deliveryMode: options.workers === 2 ? 'deferred' : 'async',
    queue: { capacity: 1000, policy: 'block', blockTimeoutMs: 600_000 },
    scheduler: options.workers === 2 ? { pollIntervalMs: WORKER_POLL_MS } : {},
    onSettled: settlement?.onSettled,
    logger: benchLogger(`${options.store} c=${options.concurrency} producer`),
  });
}

/** Enqueues events `from` to `to` - 1, recording when each was enqueued; resolves when the last one has been. */
async function produce(
  dispatcher: Dispatcher,
  options: HooksSenderOptions,
  enqueuedAt: Float64Array,
  from: number,
  to: number,
): Promise<number> {
  let next = from;
  if (options.enqueue === 'single') {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        for (let seq = next++; seq < to; seq = next++) {
          enqueuedAt[seq] = epochMs();
          await dispatcher.enqueue(BENCH_EVENT_TYPE, benchPayload(seq));
        }
      }),
    );
  } else {
    await Promise.all(
      Array.from({ length: BATCH_PRODUCERS }, async () => {
        for (let first = next; first < to; first = next) {
          next = Math.min(to, first + ENQUEUE_BATCH);
          const items = [];
          const now = epochMs();
          for (let seq = first; seq < next; seq++) {
            enqueuedAt[seq] = now;
            items.push({ eventType: BENCH_EVENT_TYPE, payload: benchPayload(seq) });
          }
          await dispatcher.enqueueMany(items);
        }
      }),
    );
  }
  return epochMs();
}

async function startWorkerChild(
  location: StoreLocation,
  options: HooksSenderOptions,
  settlement: Settlement,
): Promise<ChildProcess> {
  const child = forkScript('./hooks-worker-child.ts');
  child.on('message', (message: WorkerMessage) => {
    if (message.type !== 'settled') return;
    for (let i = 0; i < message.seqs.length; i++) settlement.add(message.seqs[i]!, message.at[i]!, true);
    settlement.failed += message.failed;
  });
  const ready = nextMessage<WorkerMessage & { type: 'ready' }>(child, 'ready');
  child.send({
    location,
    url: options.url,
    concurrency: options.concurrency,
    pollIntervalMs: WORKER_POLL_MS,
  });
  await ready;
  return child;
}

async function stopWorkerChild(child: ChildProcess): Promise<WorkerMessage & { type: 'closed' }> {
  const closed = nextMessage<WorkerMessage & { type: 'closed' }>(child, 'closed');
  child.send({ type: 'stop' });
  const message = await closed;
  await exited(child);
  return message;
}

/**
 * Sends `warmup` and then `events` signed ~1 KB events through @hooks/engine from enqueue to delivered and
 * measures deliveries/s, enqueue/s and enqueue -> delivered latency of the second, timed part. One worker: the producing dispatcher delivers its
 * own hand-offs (the normal embedded use). Two workers: the producer only stores events (`deliveryMode:
 * 'deferred'`: unleased) and two started dispatchers with their own connection pools claim and deliver them: in child
 * processes for SQLite and Postgres, in this process (sharing the store) for memory.
 *
 * @example
 * const m = await runHooksSender({ url, events: 5000, warmup: 1000, concurrency: 64, store: 'sqlite', enqueue: 'single', workers: 1, databaseUrl });
 */
export async function runHooksSender(options: HooksSenderOptions): Promise<HooksSenderResult> {
  const location = newStoreLocation(options.store, options.databaseUrl);
  const store = openStore(location);
  await store.init();
  const total = options.warmup + options.events;
  const settlement = new Settlement(total);
  const enqueuedAt = new Float64Array(total);
  const children: ChildProcess[] = [];
  const local: Dispatcher[] = [];
  try {
    const producer = dispatcherFor(store, options, options.workers === 1 ? settlement : undefined);
    if (options.workers === 1) producer.start();
    else if (options.store === 'memory') {
      for (let i = 0; i < 2; i++) local.push(dispatcherFor(store, options, settlement));
      for (const worker of local) worker.start();
    } else {
      for (let i = 0; i < 2; i++) children.push(await startWorkerChild(location, options, settlement));
    }
    const describe = (): string => JSON.stringify(producer.diagnostics().totals);
    await produce(producer, options, enqueuedAt, 0, options.warmup);
    await settlement.wait(options.warmup, describe);
    const started = epochMs();
    const enqueueEnded = await produce(producer, options, enqueuedAt, options.warmup, total);
    await settlement.wait(total, describe);
    const ended = epochMs();
    const incidents = incidentsOf(producer);
    for (const worker of local) addIncidents(incidents, incidentsOf(worker));
    await producer.close();
    await Promise.all(local.map((worker) => worker.close()));
    const stopped = await Promise.all(children.map(stopWorkerChild));
    for (const child of stopped) addIncidents(incidents, child.incidents);
    if (settlement.failed > 0) throw new Error(`${settlement.failed} events were not delivered`);
    const latencies = Array.from(settlement.deliveredAt.subarray(options.warmup), (at, index) => {
      return at - enqueuedAt[options.warmup + index]!;
    });
    const seconds = (ended - started) / 1000;
    return {
      events: options.events,
      seconds: round(seconds, 3),
      deliveriesPerSec: round(options.events / seconds),
      enqueuePerSec: round(options.events / ((enqueueEnded - started) / 1000)),
      latency: summarize(latencies),
      workerUsage: stopped.map((child) => child.usage),
      incidents,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await store.close();
    await dropStoreLocation(location);
  }
}
