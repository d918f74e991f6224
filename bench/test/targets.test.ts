import { describe, expect, it } from 'vitest';
import type { NotifierMemoryResult } from '../src/notifier-memory.js';
import type { DeliveryRow } from '../src/result-types.js';
import type { ScaleRow } from '../src/scale.js';
import { evaluateTargets, FLAT_TOLERANCE } from '../src/targets.js';

function deliveryRow(overrides: Partial<DeliveryRow>): DeliveryRow {
  return {
    system: 'hooks',
    label: 'row',
    concurrency: 64,
    store: 'memory',
    enqueue: 'single',
    workers: 1,
    ratioToRaw: null,
    rawDeliveriesPerSec: 10_000,
    ratioToPgBoss: null,
    received: { unique: 100, duplicates: 0 },
    incidents: { storeErrors: 0, leaseLosses: 0, retried: 0 },
    cpuRatioToRaw: null,
    events: 100,
    seconds: 1,
    deliveriesPerSec: 100,
    enqueuePerSec: 100,
    latency: { count: 100, p50: 1, p99: 2, max: 3 },
    peakRssMiB: 50,
    cpuUsPerEvent: 100,
    ...overrides,
  };
}

function scaleRow(store: 'sqlite' | 'postgres', pending: number, ratioToSmallest: number | null): ScaleRow {
  return {
    store,
    pending,
    prefillSeconds: 1,
    rounds: [1000],
    deliveriesPerSec: 1000,
    ratioToSmallest,
    peakRssMiB: 50,
    cpuUsPerEvent: 100,
  };
}

describe('evaluateTargets', () => {
  it('checks each store against its raw-undici ratio, only for single-enqueue one-worker @hooks rows', () => {
    const checks = evaluateTargets(
      [
        deliveryRow({ system: 'raw-undici', store: null, enqueue: null, workers: null }),
        deliveryRow({ store: 'memory', ratioToRaw: 0.95 }),
        deliveryRow({ store: 'sqlite', ratioToRaw: 0.59 }),
        deliveryRow({ store: 'postgres', ratioToRaw: 0.6, ratioToPgBoss: 2.5 }),
        deliveryRow({ store: 'memory', enqueue: 'batch', ratioToRaw: 0.1 }),
        deliveryRow({ store: 'sqlite', workers: 2, ratioToRaw: 0.1 }),
      ],
      undefined,
      undefined,
    );
    expect(checks.map((c) => [c.target, c.measured, c.required, c.met])).toEqual([
      ['memory deliveries/s / raw undici (c=64)', 0.95, 0.9, true],
      ['sqlite deliveries/s / raw undici (c=64)', 0.59, 0.6, false],
      ['postgres deliveries/s / raw undici (c=64)', 0.6, 0.6, true],
      ['postgres deliveries/s / pg-boss sender (c=64)', 2.5, 3, false],
    ]);
  });

  it('counts a missing ratio as not met', () => {
    const [check] = evaluateTargets([deliveryRow({ ratioToRaw: null })], undefined, undefined);
    expect(check).toMatchObject({ measured: null, met: false });
  });

  it('compares the largest backlog with the smallest per store, and needs two sizes', () => {
    const checks = evaluateTargets(
      undefined,
      [
        scaleRow('postgres', 1_000_000, 0.79),
        scaleRow('postgres', 10_000, 1),
        scaleRow('postgres', 100_000, 0.95),
        scaleRow('sqlite', 10_000, 1),
      ],
      undefined,
    );
    expect(checks).toEqual([
      {
        target: 'postgres: deliveries/s with 1M pending / with 10k',
        measured: 0.79,
        required: 0.8,
        comparison: '>=',
        met: false,
      },
    ]);
  });

  it('calls the notifier flat within the tolerance and requires exact accounting', () => {
    const sample = (notified: number, rssMiB: number, heapUsedMiB: number) => ({
      notified,
      rssMiB,
      heapUsedMiB,
    });
    const notifier = {
      samples: [sample(100_000, 100, 40), sample(1_000_000, 100 * (1 + FLAT_TOLERANCE) + 1, 40)],
      final: { unaccounted: 0 },
    } as unknown as NotifierMemoryResult;
    const checks = evaluateTargets(undefined, undefined, notifier);
    expect(checks.map((c) => [c.target.split(':')[0], c.met])).toEqual([
      ['notifier RSS flat', false],
      ['notifier heap retained after GC flat', true],
      ['notifier', true],
    ]);
    const leaking = { ...notifier, final: { unaccounted: 3 } } as unknown as NotifierMemoryResult;
    expect(evaluateTargets(undefined, undefined, leaking).at(-1)).toMatchObject({ measured: 3, met: false });
  });
});
