import type { DeliveryMode } from './dispatcher-options.js';
import type { EndpointDiagnostics } from './endpoint-health.js';
import { LatencyReservoir, type LatencySummary } from './latency-reservoir.js';

/** Running totals since the dispatcher was created. */
export interface DeliveryTotals {
  /** Events accepted by `enqueue` / `enqueueMany` (new rows, not idempotent repeats). */
  enqueued: number;
  /** Events that reached `delivered`. */
  delivered: number;
  /** Events that reached `failed` (attempts exhausted, or refused by the SSRF guard: see `blocked`). */
  failed: number;
  /** Attempts refused by the SSRF guard (each also fails its event at once). */
  blocked: number;
  /** Events that reached `skipped` (no target, 410 Gone, dropped without a scheduler). */
  skipped: number;
  /** Hand-offs the bounded queue dropped (deferred + skipped below). */
  dropped: number;
  /** Dropped hand-offs whose lease was released so a scheduler delivers them later. */
  droppedDeferred: number;
  /** Dropped hand-offs recorded as `skipped` (memory store, no scheduler). */
  droppedSkipped: number;
  /** Failed attempts that were scheduled for another try. */
  retried: number;
  /** HTTP attempts made. */
  attempts: number;
  /** Outcomes refused by the store's fencing (another worker took the row): lease losses. */
  leaseLosses: number;
  /** Calls refused for invalid input. */
  invalidInput: number;
  /** Store calls that failed (claims, outcome writes, releases). */
  storeErrors: number;
}

/** One recent failure, for a person to read. */
export interface RecentFailure {
  /** The event id. */
  id: string;
  /** The event type. */
  eventType: string;
  /** Short, secret-free reason. */
  error: string;
  /** When it happened (ISO 8601). */
  at: string;
}

/** A snapshot of the dispatcher's state. Contains no secrets. */
export interface DispatcherDiagnostics {
  /** The store's kind (`memory`, `sqlite`, `postgres`). */
  storeKind: string;
  /** This dispatcher's worker id. */
  workerId: string;
  /** `sync`, `async` or `deferred`. */
  deliveryMode: DeliveryMode;
  /** The in-process hand-off queue. */
  queue: { depth: number; capacity: number; policy: string; blocked: number };
  /** Attempts running right now. */
  inFlight: number;
  /** Whether the scheduler is running. */
  schedulerRunning: boolean;
  /** Running totals. */
  totals: DeliveryTotals;
  /** Latency percentiles over a bounded window of recent samples, in milliseconds. */
  latency: { enqueueToDelivered: LatencySummary; attempt: LatencySummary };
  /** The most recent failures (bounded), newest last. */
  recentFailures: RecentFailure[];
  /** Endpoints (target URLs) known to be failing or disabled, shared through the store; URLs without secrets. */
  endpoints: EndpointDiagnostics[];
}

/** Collects counters, latency samples and recent failures for `diagnostics()`. */
export class DiagnosticsCollector {
  /** Mutable running totals. */
  readonly totals: DeliveryTotals = {
    enqueued: 0,
    delivered: 0,
    failed: 0,
    blocked: 0,
    skipped: 0,
    dropped: 0,
    droppedDeferred: 0,
    droppedSkipped: 0,
    retried: 0,
    attempts: 0,
    leaseLosses: 0,
    invalidInput: 0,
    storeErrors: 0,
  };
  /** Enqueue (row insert) to delivered, in milliseconds. */
  readonly enqueueToDelivered: LatencyReservoir;
  /** Duration of each HTTP attempt, in milliseconds. */
  readonly attemptDuration: LatencyReservoir;
  private readonly failures: RecentFailure[] = [];

  constructor(
    private readonly maxFailures = 50,
    reservoirSize = 2048,
  ) {
    this.enqueueToDelivered = new LatencyReservoir(reservoirSize);
    this.attemptDuration = new LatencyReservoir(reservoirSize);
  }

  /** Remembers a failure, keeping only the newest `maxFailures`. */
  recordFailure(id: string, eventType: string, error: string, at: Date): void {
    this.failures.push({ id, eventType, error, at: at.toISOString() });
    if (this.failures.length > this.maxFailures)
      this.failures.splice(0, this.failures.length - this.maxFailures);
  }

  /** A deep copy of the counters and summaries. */
  snapshot(): Pick<DispatcherDiagnostics, 'totals' | 'latency' | 'recentFailures'> {
    return {
      totals: { ...this.totals },
      latency: {
        enqueueToDelivered: this.enqueueToDelivered.summary(),
        attempt: this.attemptDuration.summary(),
      },
      recentFailures: this.failures.map((failure) => ({ ...failure })),
    };
  }
}
