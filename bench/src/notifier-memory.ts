import { createNotifier, type NotifierDiagnostics } from '@hooks/engine';
import { BENCH_EVENT_TYPE, BENCH_SECRET, benchPayload } from './bench-event.js';
import { mib } from './rss-sampler.js';
import { round } from './stats.js';

/** Options of `runNotifierMemory`. */
export interface NotifierMemoryOptions {
  /** A slow receiver URL. */
  url: string;
  /** `notify` calls in all. */
  notifications: number;
  /** Queue capacity (policy `drop_oldest`, the default). */
  capacity: number;
  /** Attempts in flight. */
  concurrency: number;
  /** Take an RSS sample after every this many notifications. */
  sampleEvery: number;
  /** Longest wait for the queue to drain after the last notification, in milliseconds. */
  drainTimeoutMs: number;
}

/** One RSS sample. */
export interface RssSample {
  /** Notifications made so far. */
  notified: number;
  /** Resident set size, MiB. */
  rssMiB: number;
  /** V8 heap in use, MiB. */
  heapUsedMiB: number;
  /** Memory of C++ objects bound to JavaScript (Buffers, ...), MiB. */
  externalMiB: number;
}

/** Where every notification went, at one moment. */
export interface NotifierAccounting {
  /** `notify` calls made. */
  notified: number;
  /** Refused by `notify` (queue full under drop_new/block, invalid input, closed, error). */
  refused: number;
  /** Delivered (2xx). */
  delivered: number;
  /** Dropped by the queue policy (recorded as skipped). */
  dropped: number;
  /** Failed after their attempts. */
  failed: number;
  /** Waiting in the queue. */
  inQueue: number;
  /** Attempts running. */
  inFlight: number;
  /** notified - refused - delivered - dropped - failed - inQueue - inFlight: 0 when every event is accounted for. */
  unaccounted: number;
}

/** What `runNotifierMemory` measured. */
export interface NotifierMemoryResult {
  /** The options used. */
  options: Omit<NotifierMemoryOptions, 'url'>;
  /** Seconds to make every `notify` call. */
  feedSeconds: number;
  /** `notify` calls per second. */
  notifyPerSec: number;
  /** RSS and heap after every `sampleEvery` notifications (after a full GC when `--expose-gc` is on). */
  samples: RssSample[];
  /** Last sample's RSS minus the first's, MiB. */
  rssGrowthMiB: number;
  /** Right after the last `notify` resolved (attempts whose outcome is being written show as unaccounted). */
  atFeedEnd: NotifierAccounting;
  /** Once the queue drained (or the drain timed out). */
  final: NotifierAccounting;
  /** Seconds the drain took. */
  drainSeconds: number;
}

function accounting(notified: number, diagnostics: NotifierDiagnostics): NotifierAccounting {
  const { totals, queue, inFlight, notifier } = diagnostics;
  const refused = Object.values(notifier.refused).reduce((sum, count) => sum + count, 0);
  const dropped = totals.droppedSkipped;
  const rest = notified - refused - totals.delivered - dropped - totals.failed - queue.depth - inFlight;
  return {
    notified,
    refused,
    delivered: totals.delivered,
    dropped,
    failed: totals.failed,
    inQueue: queue.depth,
    inFlight,
    unaccounted: rest,
  };
}

/**
 * RSS and heap now. The notifier prunes settled rows a second after they settle, so a sample first waits
 * 1.1 s (feeding paused) for that prune; with `--expose-gc` two full collections follow, with a pause for V8
 * to hand freed pages back to the OS: a sample then shows retained memory, not garbage or rows due for pruning.
 */
async function sample(notified: number): Promise<RssSample> {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 250));
    gc();
  }
  const usage = process.memoryUsage();
  return {
    notified,
    rssMiB: mib(usage.rss),
    heapUsedMiB: mib(usage.heapUsed),
    externalMiB: mib(usage.external),
  };
}

/**
 * Feeds an in-process notifier (`createNotifier`: memory store, bounded queue, drop_oldest) far more
 * notifications than a slow receiver can take, sampling RSS as it goes, then accounts for every one:
 * delivered, dropped by the queue, failed, still queued or in flight.
 *
 * @example
 * const r = await runNotifierMemory({ url: receiver.slowUrl(20), notifications: 1_000_000, capacity: 10_000, concurrency: 16, sampleEvery: 100_000, drainTimeoutMs: 60_000 });
 * console.log(r.samples.map((s) => s.rssMiB), r.final.unaccounted);
 */
export async function runNotifierMemory(options: NotifierMemoryOptions): Promise<NotifierMemoryResult> {
  const notifier = createNotifier({
    // The bench receiver listens on 127.0.0.1: let deliveries to loopback past the SSRF guard.
    ssrfGuard: { allowLoopback: true },
    url: options.url,
    secret: BENCH_SECRET,
    queue: { capacity: options.capacity, policy: 'drop_oldest' },
    concurrency: options.concurrency,
  });
  const samples: RssSample[] = [];
  const chunk = 1000;
  let notified = 0;
  const started = performance.now();
  while (notified < options.notifications) {
    const size = Math.min(chunk, options.notifications - notified);
    const calls = [];
    for (let i = 0; i < size; i++) calls.push(notifier.notify(BENCH_EVENT_TYPE, benchPayload(notified + i)));
    await Promise.all(calls);
    notified += size;
    if (notified % options.sampleEvery === 0) samples.push(await sample(notified));
  }
  const feedSeconds = (performance.now() - started) / 1000;
  const atFeedEnd = accounting(notified, notifier.diagnostics());
  const drainStarted = performance.now();
  let final = atFeedEnd;
  while (performance.now() - drainStarted < options.drainTimeoutMs) {
    final = accounting(notified, notifier.diagnostics());
    if (final.inQueue === 0 && final.inFlight === 0 && final.unaccounted === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  await notifier.close({ deadlineMs: 2000 });
  const { url: _url, ...kept } = options;
  return {
    options: kept,
    feedSeconds: round(feedSeconds, 2),
    notifyPerSec: round(notified / feedSeconds),
    samples,
    rssGrowthMiB: round((samples.at(-1)?.rssMiB ?? 0) - (samples[0]?.rssMiB ?? 0), 1),
    atFeedEnd,
    final,
    drainSeconds: round(drainSeconds, 2),
  };
}
