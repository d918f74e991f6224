import { runCase } from './case-process.js';
import type { CliOptions } from './cli-options.js';
import { type HooksConfig, runDeliverySection } from './delivery-section.js';
import { ENQUEUE_BATCH, WORKER_POLL_MS } from './hooks-sender.js';
import { PGBOSS_POLLING_INTERVAL_SECONDS } from './pgboss-sender.js';
import type { Receiver } from './receiver-process.js';
import { runScaleSection } from './scale.js';
import type { SectionData, SectionName } from './section-file.js';
import { runSigningBench } from './signing.js';

/**
 * The @hooks configurations of the delivery section: every store with one worker, for each enqueue mode;
 * SQLite and Postgres also with two workers (single enqueue; a memory store cannot be shared by processes).
 *
 * @example
 * const configs = deliveryConfigs(cli); // [{ store: 'memory', enqueue: 'single', workers: 1 }, ...]
 */
export function deliveryConfigs(cli: CliOptions): HooksConfig[] {
  const configs: HooksConfig[] = [];
  for (const store of ['memory', 'sqlite', 'postgres'] as const) {
    for (const enqueue of cli.modes) configs.push({ store, enqueue, workers: 1 });
    if (store !== 'memory') configs.push({ store, enqueue: 'single', workers: 2 });
  }
  return configs;
}

/**
 * Runs one section with the command line's settings and returns its data.
 *
 * @example
 * const rows = await runSection('delivery', cli, receiver, console.error);
 */
export async function runSection<K extends SectionName>(
  section: K,
  cli: CliOptions,
  receiver: Receiver,
  log: (line: string) => void,
): Promise<SectionData[K]> {
  if (section === 'delivery') {
    return (await runDeliverySection({
      receiver,
      databaseUrl: cli.databaseUrl,
      events: cli.events,
      warmup: cli.warmup,
      concurrencies: cli.concurrencies,
      configs: deliveryConfigs(cli),
      pgBoss: true,
      profile: cli.profile === undefined ? undefined : { dir: cli.profileDir, match: cli.profile },
      log,
    })) as SectionData[K];
  }
  if (section === 'scale') {
    return (await runScaleSection({
      receiver,
      databaseUrl: cli.databaseUrl,
      ...cli.scale,
      log,
    })) as SectionData[K];
  }
  if (section === 'notifier') {
    const { notifier } = cli;
    log(
      `notifier: ${notifier.notifications.toLocaleString('en-US')} notifications, receiver delay ${notifier.receiverDelayMs} ms`,
    );
    const { result } = await runCase(
      {
        kind: 'notifier',
        label: 'notifier-memory',
        options: {
          url: receiver.slowUrl(notifier.receiverDelayMs),
          notifications: notifier.notifications,
          capacity: notifier.capacity,
          concurrency: notifier.concurrency,
          sampleEvery: notifier.sampleEvery,
          drainTimeoutMs: 120_000,
        },
      },
      { nodeFlags: ['--expose-gc'] },
    );
    log(
      `notifier: RSS ${result.samples.map((s) => s.rssMiB).join(' ')} MiB; unaccounted ${result.final.unaccounted}`,
    );
    return result as SectionData[K];
  }
  return (await runSigningBench(log)) as SectionData[K];
}

/** How a section measured, in words, for its results file and the report. */
export function sectionMethod(section: SectionName, cli: CliOptions): Record<string, string> {
  if (section === 'delivery') {
    return {
      events: `${cli.warmup} untimed warm-up events, then ${cli.events} timed, signed ~1 KB JSON events per run (Standard Webhooks headers), to one receiver process on 127.0.0.1 that answers 200 and counts webhook-ids; every run checks that the receiver saw every event`,
      order:
        'per concurrency: raw, case, raw, case, ..., raw; each case runs in a fresh process; "x raw" divides by the mean of the two raw runs around the case',
      'raw undici':
        'concurrency loops of undici request() over an Agent with that many connections, each request signed with node:crypto HMAC-SHA256; no store, no queue',
      '@hooks, 1 worker': `createDispatcher({ store, concurrency, perOriginConcurrency: concurrency, queue: { capacity: 1000, policy: 'block' } }), scheduler started; enqueue from concurrency producers, or enqueueMany batches of ${ENQUEUE_BATCH} from 2 producers; delivered = onSettled (outcome written)`,
      '@hooks, 2 workers': `SQLite and Postgres, single enqueue only: the producer stores events for the schedulers (deliveryMode 'deferred': unleased); two started dispatchers with their own pools, in child processes, claim (claimDue, 100 rows) and deliver; poll interval ${WORKER_POLL_MS} ms (Postgres also wakes on LISTEN/NOTIFY)`,
      'pg-boss sender': `pg-boss ${'10.4.2'}: one queue, boss.send per event (from concurrency producers) or boss.insert batches of ${ENQUEUE_BATCH}, boss.notifyWorker after each write; one boss.work worker with batchSize max(100, concurrency) and pollingIntervalSeconds ${PGBOSS_POLLING_INTERVAL_SECONDS} (pg-boss's minimum), delivering with undici at most concurrency at once (signed with node:crypto); jobs completed by pg-boss when the batch handler resolves; done when every job is delivered and completed; pool max 10 like the store`,
      latency: 'enqueue call to delivered (pg-boss: to the HTTP response; raw: request start to response)',
      'peak RSS':
        "sum of the peak RSS of the run's processes (each a Node.js process with the tsx loader); CPU µs/event likewise (receiver and PostgreSQL excluded)",
      targets: 'checked on single enqueue with one worker, at every concurrency',
    };
  }
  if (section === 'scale') {
    const { scale } = cli;
    return {
      backlog: `${scale.sizes.map((size) => size.toLocaleString('en-US')).join(' / ')} pending, due ~1 KB rows written with one INSERT ... SELECT into the store's own table after its init (generate_series + VACUUM ANALYZE on PostgreSQL, a recursive CTE in 100k-row transactions + ANALYZE on SQLite)`,
      measured: `a started dispatcher (concurrency ${scale.concurrency}, claims of 100) delivers ${scale.warmup} events untimed, then ${scale.deliverPerRound} timed; ${scale.rounds} interleaved round(s) per size, each in a fresh process; the figure is the median of the rounds`,
    };
  }
  if (section === 'notifier') {
    const { notifier } = cli;
    return {
      setup: `createNotifier({ queue: { capacity: ${notifier.capacity}, policy: 'drop_oldest' }, concurrency: ${notifier.concurrency} }) in a fresh process, to a receiver that answers after ${notifier.receiverDelayMs} ms`,
      feed: `${notifier.notifications.toLocaleString('en-US')} notify() calls of ~1 KB payloads, 1000 at a time; RSS and heap sampled every ${notifier.sampleEvery.toLocaleString('en-US')} notifications, each after a 1.1 s pause (the notifier prunes settled rows a second after they settle) and two full GCs (node --expose-gc), so that samples show retained memory rather than garbage or rows awaiting their prune`,
    };
  }
  return {
    source:
      'pnpm --filter @hooks/signing bench (packages/signing/bench/signing.bench.ts), run as a child process',
  };
}
