import type { LatencySummary } from './stats.js';

/** What one delivery run measured (raw loop, pg-boss sender or @hooks). */
export interface DeliveryMeasurement {
  /** Events sent. */
  events: number;
  /** Wall time from the first enqueue (or request) to the last delivery, in seconds. */
  seconds: number;
  /** `events / seconds`: deliveries per second end to end. */
  deliveriesPerSec: number;
  /** Events enqueued per second (first enqueue call to last enqueue resolved); null for the raw loop. */
  enqueuePerSec: number | null;
  /** Enqueue to delivered latency (raw loop: request start to response read), in milliseconds. */
  latency: LatencySummary;
}

/** Resource use of the process(es) of one run. */
export interface ProcessUsage {
  /** Sum over the run's processes of each one's peak RSS, in MiB. */
  peakRssMiB: number;
  /** CPU time (user + system) of the run's processes per event, in microseconds (the receiver and PostgreSQL excluded). */
  cpuUsPerEvent: number;
}

/** The kinds of store @hooks was measured on. */
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** How events were enqueued: one `enqueue` call each, or `enqueueMany` batches. */
export type EnqueueMode = 'single' | 'batch';

/** One row of the delivery table. */
export interface DeliveryRow extends DeliveryMeasurement, ProcessUsage {
  /** `raw-undici`, `pg-boss` or `hooks`. */
  system: 'raw-undici' | 'pg-boss' | 'hooks';
  /** Human label, e.g. `@hooks postgres, single, 1 worker`. */
  label: string;
  /** Deliveries in flight at most (per worker). */
  concurrency: number;
  /** Store (@hooks only). */
  store: StoreKind | null;
  /** Enqueue mode (@hooks and pg-boss). */
  enqueue: EnqueueMode | null;
  /** Delivering workers (@hooks and pg-boss). */
  workers: number | null;
  /** Deliveries/s of this row divided by the raw loop run right before it. */
  ratioToRaw: number | null;
  /** Deliveries/s of the raw loop this row is compared with. */
  rawDeliveriesPerSec: number | null;
  /** Deliveries/s of this row divided by the pg-boss sender at the same concurrency (Postgres rows). */
  ratioToPgBoss: number | null;
  /** What the receiver counted for this run: distinct webhook-ids and repeats. */
  received: { unique: number; duplicates: number };
  /** @hooks runs: store errors, lease losses and retries counted by the engine (all 0 in a clean run). */
  incidents: { storeErrors: number; leaseLosses: number; retried: number } | null;
  /** Raw undici's CPU per request (mean of the two raw runs around this one) / this row's CPU per event. */
  cpuRatioToRaw: number | null;
}

/** A target and whether the run met it. */
export interface TargetCheck {
  /** What is compared, e.g. `memory >= 0.9x raw undici (c=64)`. */
  target: string;
  /** The measured ratio. */
  measured: number | null;
  /** The bound the measured value must respect. */
  required: number;
  /** How the measured value compares with `required` when the target is met. */
  comparison: '>=' | '<=' | '==';
  /** Whether measured >= required. */
  met: boolean;
}
