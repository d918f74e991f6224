import { type CaseResults, type CaseSpec, runCase } from './case-process.js';
import type { Receiver } from './receiver-process.js';
import type { DeliveryMeasurement, DeliveryRow, EnqueueMode, StoreKind } from './result-types.js';
import { mib } from './rss-sampler.js';
import { ratio } from './stats.js';

/** Options of `runDeliverySection`. */
export interface DeliverySectionOptions {
  /** The running receiver. */
  receiver: Receiver;
  /** PostgreSQL URL. */
  databaseUrl: string;
  /** Events timed per run. */
  events: number;
  /** Events sent first, untimed, in every run. */
  warmup: number;
  /** Concurrencies to run. */
  concurrencies: number[];
  /** The @hooks configurations, in run order. */
  configs: HooksConfig[];
  /** Run the pg-boss sender (right after each one-worker Postgres configuration, same enqueue mode). */
  pgBoss: boolean;
  /** Profile cases whose label matches (V8 CPU profiles into `profileDir`). */
  profile?: { dir: string; match: RegExp };
  /** Progress lines. */
  log: (line: string) => void;
}

/** One @hooks configuration of the delivery section. */
export interface HooksConfig {
  /** Store. */
  store: StoreKind;
  /** Enqueue mode. */
  enqueue: EnqueueMode;
  /** Delivering workers. */
  workers: 1 | 2;
}

type SystemCase = Extract<CaseSpec, { kind: 'hooks' | 'pgboss' }>;

function hooksLabel(store: StoreKind, mode: EnqueueMode, workers: number): string {
  return `@hooks ${store}, ${mode === 'single' ? 'enqueue' : 'enqueueMany'}, ${workers} worker${workers > 1 ? 's' : ''}`;
}

/** The cases of one concurrency, in run order: each pg-boss run right after our matching Postgres run. */
function casesFor(options: DeliverySectionOptions, concurrency: number): SystemCase[] {
  const cases: SystemCase[] = [];
  const common = {
    url: options.receiver.url,
    events: options.events,
    warmup: options.warmup,
    concurrency,
    databaseUrl: options.databaseUrl,
  };
  for (const { store, enqueue, workers } of options.configs) {
    const label = hooksLabel(store, enqueue, workers);
    cases.push({ kind: 'hooks', label, options: { ...common, store, enqueue, workers } });
    if (store === 'postgres' && workers === 1 && options.pgBoss) {
      const how = enqueue === 'single' ? 'send' : 'insert';
      cases.push({ kind: 'pgboss', label: `pg-boss ${how}, 1 worker`, options: { ...common, enqueue } });
    }
  }
  return cases;
}

function slug(label: string, concurrency: number): string {
  return `${label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}-c${concurrency}`;
}

/** Runs one case, checks the receiver saw every event once at least, and returns its row (ratios unset). */
async function measure(
  spec: CaseSpec & { kind: 'raw' | 'hooks' | 'pgboss' },
  options: DeliverySectionOptions,
  concurrency: number,
): Promise<DeliveryRow> {
  const name = slug(spec.label, concurrency);
  const profile = options.profile?.match.test(name) ? { cpuProfDir: options.profile.dir } : {};
  const { result, usage } = await runCase(
    { ...spec, label: name },
    { ...profile, beforeAttempt: () => options.receiver.reset() },
  );
  const received = await options.receiver.stats();
  if (received.unique < options.events + options.warmup) {
    throw new Error(
      `${spec.label} (c=${concurrency}): the receiver saw ${received.unique} of ${options.events + options.warmup} events`,
    );
  }
  const measured: DeliveryMeasurement = result;
  const hooks = spec.kind === 'hooks' ? spec.options : undefined;
  return {
    system: spec.kind === 'raw' ? 'raw-undici' : spec.kind === 'pgboss' ? 'pg-boss' : 'hooks',
    label: spec.label,
    concurrency,
    store: hooks?.store ?? null,
    enqueue: spec.kind === 'raw' ? null : spec.options.enqueue,
    workers: hooks?.workers ?? (spec.kind === 'pgboss' ? 1 : null),
    events: measured.events,
    seconds: measured.seconds,
    deliveriesPerSec: measured.deliveriesPerSec,
    enqueuePerSec: measured.enqueuePerSec,
    latency: measured.latency,
    peakRssMiB: mib(usage.peakRssBytes),
    cpuUsPerEvent: Math.round(usage.cpuMicros / options.events),
    ratioToRaw: null,
    rawDeliveriesPerSec: null,
    ratioToPgBoss: null,
    received: { unique: received.unique, duplicates: received.duplicates },
    incidents: spec.kind === 'hooks' ? (result as CaseResults['hooks']).incidents : null,
    cpuRatioToRaw: null,
  };
}

/**
 * The delivery section: for each concurrency, every @hooks configuration and the pg-boss sender, each
 * between two raw undici runs (raw, case, raw, case, ..., raw), all to the same receiver with the same
 * events. A row's ratio to raw is its rate over the mean of the two raw runs around it, so that a noisy
 * neighbour slows both sides of a ratio alike. Postgres rows are also divided by the pg-boss run of the
 * same concurrency and enqueue mode.
 *
 * @example
 * const rows = await runDeliverySection({ receiver, databaseUrl, events: 5000, concurrencies: [16, 64, 256], configs: [{ store: 'memory', enqueue: 'single', workers: 1 }], pgBoss: false, log: console.error });
 */
export async function runDeliverySection(options: DeliverySectionOptions): Promise<DeliveryRow[]> {
  const rows: DeliveryRow[] = [];
  let rawRun = 0;
  for (const concurrency of options.concurrencies) {
    const raw = async (): Promise<DeliveryRow> => {
      rawRun += 1;
      const row = await measure(
        {
          kind: 'raw',
          label: 'raw undici',
          options: {
            url: options.receiver.url,
            events: options.events,
            warmup: options.warmup,
            concurrency,
            idPrefix: `msg_raw_${rawRun}`,
          },
        },
        options,
        concurrency,
      );
      rows.push(row);
      return row;
    };
    let before = await raw();
    const measured: DeliveryRow[] = [];
    for (const spec of casesFor(options, concurrency)) {
      const row = await measure(spec, options, concurrency);
      rows.push(row);
      const after = await raw();
      row.rawDeliveriesPerSec = Math.round((before.deliveriesPerSec + after.deliveriesPerSec) / 2);
      row.ratioToRaw = ratio(row.deliveriesPerSec, row.rawDeliveriesPerSec);
      row.cpuRatioToRaw = ratio((before.cpuUsPerEvent + after.cpuUsPerEvent) / 2, row.cpuUsPerEvent);
      options.log(
        `c=${concurrency} ${row.label}: ${row.deliveriesPerSec}/s, raw ${row.rawDeliveriesPerSec}/s (x${row.ratioToRaw}), ` +
          `p50 ${row.latency.p50} ms, p99 ${row.latency.p99} ms, ${row.peakRssMiB} MiB`,
      );
      measured.push(row);
      before = after;
    }
    for (const row of measured) {
      if (row.store !== 'postgres') continue;
      const boss = measured.find((other) => other.system === 'pg-boss' && other.enqueue === row.enqueue);
      row.ratioToPgBoss = ratio(row.deliveriesPerSec, boss?.deliveriesPerSec);
    }
  }
  return rows;
}
