import type { AttemptOutcome, RecordResult, WebhookStore } from '@hooks/core';
import type { DispatcherDiagnostics } from '@hooks/engine';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Something with the engine's `diagnostics()` (a dispatcher). */
export interface DiagnosticsSource {
  /** A snapshot of queue state and running totals. */
  diagnostics(): DispatcherDiagnostics;
}

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** Prefix of every metric name (default `hooks_`). */
  prefix?: string;
  /** Also collect Node.js process metrics (default true). */
  processMetrics?: boolean;
  /** Labels added to every metric (e.g. `{ app: 'mock-server' }`). */
  labels?: Record<string, string>;
}

/** A Prometheus registry with the delivery metrics and ways to feed it. */
export interface HooksMetrics {
  /** The prom-client registry (`registry.metrics()` gives the text format). */
  readonly registry: Registry;
  /** The content type of `registry.metrics()`. */
  readonly contentType: string;
  /** Wraps a store so every recorded attempt outcome is counted and its duration observed. */
  instrumentStore<S extends WebhookStore>(store: S): S;
  /** Reads queue gauges and running totals from this dispatcher at every scrape. */
  observeDispatcher(source: DiagnosticsSource): void;
  /** Reads row counts by status from this store at every scrape. */
  observeStore(store: Pick<WebhookStore, 'countByStatus'>): void;
  /** The metrics in Prometheus text format. */
  text(): Promise<string>;
}

const TOTALS: readonly (keyof DispatcherDiagnostics['totals'])[] = [
  'enqueued',
  'delivered',
  'failed',
  'blocked',
  'skipped',
  'retried',
  'dropped',
  'attempts',
  'leaseLosses',
  'storeErrors',
];

const OUTCOME_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Creates the apps' Prometheus metrics: `hooks_attempt_outcomes_total{outcome}` and
 * `hooks_attempt_duration_seconds` (from an instrumented store), queue and in-flight gauges and the
 * dispatcher's running totals (from `diagnostics()`), and `hooks_events{status}` (from `countByStatus()`).
 *
 * @example
 * const metrics = createMetrics({ labels: { app: 'worker' } });
 * const dispatcher = createDispatcher({ ...options, store: metrics.instrumentStore(store) });
 * metrics.observeDispatcher(dispatcher);
 * metrics.observeStore(store);
 * const text = await metrics.text();
 */
export function createMetrics(options: MetricsOptions = {}): HooksMetrics {
  const prefix = options.prefix ?? 'hooks_';
  const registry = new Registry();
  if (options.labels !== undefined) registry.setDefaultLabels({ ...options.labels });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });
  const dispatchers: DiagnosticsSource[] = [];
  const stores: Pick<WebhookStore, 'countByStatus'>[] = [];

  const outcomes = new Counter({
    name: `${prefix}attempt_outcomes_total`,
    help: 'Delivery attempts recorded, by outcome (delivered, retry, failed, skipped)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}attempt_duration_seconds`,
    help: 'Duration of HTTP delivery attempts',
    labelNames: ['outcome'],
    buckets: OUTCOME_BUCKETS,
    registers: [registry],
  });
  const snapshots = (): DispatcherDiagnostics[] => dispatchers.map((source) => source.diagnostics());
  const sumOfDispatchers = (name: string, help: string, pick: (d: DispatcherDiagnostics) => number): void => {
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(snapshots().reduce((sum, d) => sum + pick(d), 0));
      },
    });
  };
  sumOfDispatchers('queue_depth', 'Hand-offs waiting in the in-process queue', (d) => d.queue.depth);
  sumOfDispatchers('queue_capacity', 'Capacity of the in-process queue', (d) => d.queue.capacity);
  sumOfDispatchers('attempts_in_flight', 'HTTP attempts running now', (d) => d.inFlight);
  new Counter({
    name: `${prefix}dispatcher_events_total`,
    help: "The dispatcher's running totals since start, by kind",
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      // Totals only grow, so resetting and adding the current value keeps the counter monotonic.
      this.reset();
      for (const diagnostics of snapshots()) {
        for (const kind of TOTALS) this.inc({ kind }, diagnostics.totals[kind]);
      }
    },
  });
  new Gauge({
    name: `${prefix}endpoints`,
    help: 'Webhook targets known to be failing or disabled (endpoint health), by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      const states = new Map<string, string>();
      for (const diagnostics of snapshots()) {
        for (const endpoint of diagnostics.endpoints ?? []) states.set(endpoint.url, endpoint.state);
      }
      for (const state of ['failing', 'disabled']) {
        this.set({ state }, [...states.values()].filter((value) => value === state).length);
      }
    },
  });
  new Gauge({
    name: `${prefix}events`,
    help: 'Event rows in the store, by status (pending is the backlog)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const store of stores) {
        const counts = await store.countByStatus().catch(() => undefined);
        for (const [status, count] of Object.entries(counts ?? {})) this.inc({ status }, count);
      }
    },
  });

  const observe = (outcome: AttemptOutcome, result: RecordResult | undefined): void => {
    if (result?.applied !== true) return;
    const kind = outcome.result.kind;
    outcomes.inc({ outcome: kind });
    const ms = outcome.attempt.finishedAt.getTime() - outcome.attempt.startedAt.getTime();
    if (kind !== 'skipped' || outcome.attempt.responseStatus != null) {
      duration.observe({ outcome: kind }, Math.max(0, ms) / 1000);
    }
  };

  return Object.freeze({
    registry,
    contentType: registry.contentType,
    instrumentStore<S extends WebhookStore>(store: S): S {
      return new Proxy(store, {
        get(target, property) {
          if (property === 'recordOutcome') {
            return async (outcome: AttemptOutcome) => {
              const result = await target.recordOutcome(outcome);
              observe(outcome, result);
              return result;
            };
          }
          if (property === 'recordOutcomes') {
            return async (list: readonly AttemptOutcome[]) => {
              const results = await target.recordOutcomes(list);
              for (const [index, outcome] of list.entries()) observe(outcome, results[index]);
              return results;
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
    observeDispatcher(source: DiagnosticsSource) {
      dispatchers.push(source);
    },
    observeStore(store: Pick<WebhookStore, 'countByStatus'>) {
      stores.push(store);
    },
    text: () => registry.metrics(),
  });
}
