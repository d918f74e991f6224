import type { WebhookEvent } from '@hooks/core';
import { createDispatcher } from '@hooks/engine';
import { prefillBacklog } from './backlog-prefill.js';
import { BENCH_SECRET, epochMs } from './bench-event.js';
import { benchLogger } from './bench-logger.js';
import { runCase } from './case-process.js';
import type { Receiver } from './receiver-process.js';
import type { ProcessUsage } from './result-types.js';
import { mib } from './rss-sampler.js';
import { median, ratio, round } from './stats.js';
import { dropStoreLocation, newStoreLocation, openStore, type StoreLocation } from './store-factory.js';

/** Options of `runScaleDelivery` (one measurement on a prefilled backlog). */
export interface ScaleDeliveryOptions {
  /** The prefilled store. */
  location: StoreLocation;
  /** Deliveries before the clock starts. */
  warmup: number;
  /** Deliveries timed after the warm-up. */
  deliver: number;
  /** Attempts in flight. */
  concurrency: number;
}

/** What one measurement on a backlog gave. */
export interface ScaleDeliveryResult {
  /** Deliveries timed. */
  delivered: number;
  /** Seconds they took. */
  seconds: number;
  /** Claim + deliver + record throughput. */
  deliveriesPerSec: number;
}

/** One row of the scale table: a store with a backlog of `pending` rows. */
export interface ScaleRow extends ProcessUsage {
  /** Store. */
  store: 'sqlite' | 'postgres';
  /** Pending rows before the first round. */
  pending: number;
  /** Seconds the prefill took. */
  prefillSeconds: number;
  /** Deliveries/s of each round (rounds interleave the backlog sizes). */
  rounds: number[];
  /** Median of the rounds. */
  deliveriesPerSec: number;
  /** This figure divided by the smallest backlog's (same store). */
  ratioToSmallest: number | null;
}

/** Options of `runScaleSection`. */
export interface ScaleSectionOptions {
  /** The running receiver. */
  receiver: Receiver;
  /** PostgreSQL URL. */
  databaseUrl: string;
  /** Backlog sizes, smallest first. */
  sizes: number[];
  /** Interleaved rounds per size. */
  rounds: number;
  /** Deliveries timed per round. */
  deliverPerRound: number;
  /** Deliveries before the clock starts, per round. */
  warmup: number;
  /** Attempts in flight. */
  concurrency: number;
  /** Progress lines. */
  log: (line: string) => void;
}

/**
 * Starts a scheduler on a prefilled store and times `deliver` deliveries after `warmup` ones: the steady
 * claim (`claimDue`, 100 rows) + deliver + record (`recordOutcomes`) rate with that backlog behind it.
 *
 * @example
 * const { deliveriesPerSec } = await runScaleDelivery({ location, warmup: 300, deliver: 2500, concurrency: 64 });
 */
export async function runScaleDelivery(options: ScaleDeliveryOptions): Promise<ScaleDeliveryResult> {
  const store = openStore(options.location);
  await store.init();
  const goal = options.warmup + options.deliver;
  let settled = 0;
  let failed = 0;
  let startedAt = 0;
  let endedAt = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const dispatcher = createDispatcher({
    // The bench receiver listens on 127.0.0.1: let deliveries to loopback past the SSRF guard.
    ssrfGuard: { allowLoopback: true },
    store,
    secret: BENCH_SECRET,
    concurrency: options.concurrency,
    perOriginConcurrency: options.concurrency,
    logger: benchLogger(`scale ${options.location.kind}`),
    onSettled: (event: WebhookEvent) => {
      if (event.status !== 'delivered') failed += 1;
      settled += 1;
      if (settled === options.warmup) startedAt = epochMs();
      if (settled === goal) {
        endedAt = epochMs();
        finish();
      }
    },
  });
  const timeout = setTimeout(finish, 300_000);
  try {
    dispatcher.start();
    await finished;
  } finally {
    clearTimeout(timeout);
    await dispatcher.close();
    await store.close();
  }
  if (endedAt === 0) throw new Error(`backlog delivery stalled at ${settled}/${goal}`);
  if (failed > 0) throw new Error(`${failed} backlog events were not delivered`);
  const seconds = (endedAt - startedAt) / 1000;
  return {
    delivered: options.deliver,
    seconds: round(seconds, 3),
    deliveriesPerSec: round(options.deliver / seconds),
  };
}

const label = (rows: number): string => (rows >= 1e6 ? `${rows / 1e6}M` : `${rows / 1e3}k`);

/**
 * The scale section: for PostgreSQL and SQLite, prefills one backlog per size, then measures the steady
 * delivery rate on each in interleaved rounds (each in a fresh process), so that a noisy neighbour skews
 * every size alike, and compares each size with the smallest.
 *
 * @example
 * const rows = await runScaleSection({ receiver, databaseUrl, sizes: [1e4, 1e5, 1e6], rounds: 2, deliverPerRound: 2500, warmup: 300, concurrency: 64, log: console.error });
 */
export async function runScaleSection(options: ScaleSectionOptions): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const kind of ['postgres', 'sqlite'] as const) {
    const backlogs: { size: number; location: StoreLocation; prefillSeconds: number }[] = [];
    try {
      for (const size of options.sizes) {
        const location = newStoreLocation(kind, options.databaseUrl, 'hooks_scale');
        backlogs.push({ size, location, prefillSeconds: 0 });
        options.log(`scale: prefilling ${label(size)} pending rows on ${kind}...`);
        const report = await prefillBacklog(location, size, options.receiver.url);
        backlogs.at(-1)!.prefillSeconds = report.seconds;
        options.log(`scale: ${label(size)} rows on ${kind} in ${report.seconds} s`);
      }
      const rates = new Map<number, number[]>(options.sizes.map((size) => [size, []]));
      const usage = new Map<number, ProcessUsage[]>(options.sizes.map((size) => [size, []]));
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? backlogs : [...backlogs].reverse();
        for (const backlog of order) {
          const { result, usage: used } = await runCase({
            kind: 'scale',
            label: `scale-${kind}-${label(backlog.size)}-r${round + 1}`,
            options: {
              location: backlog.location,
              warmup: options.warmup,
              deliver: options.deliverPerRound,
              concurrency: options.concurrency,
            },
          });
          rates.get(backlog.size)!.push(result.deliveriesPerSec);
          usage.get(backlog.size)!.push({
            peakRssMiB: mib(used.peakRssBytes),
            cpuUsPerEvent: Math.round(used.cpuMicros / (options.deliverPerRound + options.warmup)),
          });
          options.log(
            `scale: ${kind} ${label(backlog.size)} round ${round + 1}: ${result.deliveriesPerSec} deliveries/s`,
          );
        }
      }
      const smallest = median(rates.get(options.sizes[0]!)!);
      for (const backlog of backlogs) {
        const perSec = median(rates.get(backlog.size)!);
        const used = usage.get(backlog.size)!;
        rows.push({
          store: kind,
          pending: backlog.size,
          prefillSeconds: backlog.prefillSeconds,
          rounds: rates.get(backlog.size)!,
          deliveriesPerSec: perSec,
          ratioToSmallest: ratio(perSec, smallest),
          peakRssMiB: Math.max(...used.map((u) => u.peakRssMiB)),
          cpuUsPerEvent: median(used.map((u) => u.cpuUsPerEvent)),
        });
      }
    } finally {
      for (const backlog of backlogs) await dropStoreLocation(backlog.location);
    }
  }
  return rows;
}
