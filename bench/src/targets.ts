import type { NotifierMemoryResult } from './notifier-memory.js';
import type { DeliveryRow, TargetCheck } from './result-types.js';
import type { ScaleRow } from './scale.js';

/** Required ratios of our delivery rate to the raw undici loop, per store (enqueue, one worker). */
export const RAW_TARGETS = { memory: 0.9, sqlite: 0.6, postgres: 0.6 } as const;
/** Required ratio of @hooks on Postgres (one worker) to the pg-boss sender. */
export const PGBOSS_TARGET = 3;
/** Required ratio of the largest backlog's delivery rate to the smallest's. */
export const BACKLOG_TARGET = 0.8;
/**
 * How much the notifier's last sample may exceed its first to count as flat. Sampled after full GCs, the
 * retained heap moves by +-20 MiB and RSS by +-20% between samples (V8 hands freed pages back lazily), so
 * a 25% band separates that wobble from growth: a leak of even 100 bytes per notification adds ~95 MiB.
 */
export const FLAT_TOLERANCE = 0.25;

function check(target: string, measured: number | null, required: number): TargetCheck {
  return { target, measured, required, comparison: '>=', met: measured !== null && measured >= required };
}

function notGrowing(what: string, first: number, last: number, span: string): TargetCheck {
  const measured = Math.round((last / first) * 100) / 100;
  const required = 1 + FLAT_TOLERANCE;
  return {
    target: `notifier ${what} flat: last sample / first (${span})`,
    measured,
    required,
    comparison: '<=',
    met: measured <= required,
  };
}

const label = (rows: number): string => (rows >= 1e6 ? `${rows / 1e6}M` : `${rows / 1e3}k`);

/**
 * Checks the targets against one run's figures: per concurrency, each store (single `enqueue`, one worker)
 * against the raw loop and Postgres against pg-boss; per store, the largest backlog against the smallest;
 * the notifier's RSS growth and its accounting. Sections that were not run add no checks.
 *
 * @example
 * const checks = evaluateTargets(deliveryRows, scaleRows, notifierResult);
 * console.log(checks.filter((c) => !c.met));
 */
export function evaluateTargets(
  delivery: readonly DeliveryRow[] | undefined,
  scale: readonly ScaleRow[] | undefined,
  notifier: NotifierMemoryResult | undefined,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of delivery ?? []) {
    if (row.system !== 'hooks' || row.enqueue !== 'single' || row.workers !== 1 || row.store === null)
      continue;
    const required = RAW_TARGETS[row.store];
    checks.push(
      check(`${row.store} deliveries/s / raw undici (c=${row.concurrency})`, row.ratioToRaw, required),
    );
    if (row.store === 'postgres' && row.ratioToPgBoss !== null) {
      checks.push(
        check(
          `postgres deliveries/s / pg-boss sender (c=${row.concurrency})`,
          row.ratioToPgBoss,
          PGBOSS_TARGET,
        ),
      );
    }
  }
  for (const store of ['postgres', 'sqlite'] as const) {
    const rows = (scale ?? []).filter((row) => row.store === store).sort((a, b) => a.pending - b.pending);
    if (rows.length < 2) continue;
    const [small, big] = [rows[0]!, rows.at(-1)!];
    checks.push(
      check(
        `${store}: deliveries/s with ${label(big.pending)} pending / with ${label(small.pending)}`,
        big.ratioToSmallest,
        BACKLOG_TARGET,
      ),
    );
  }
  if (notifier !== undefined && notifier.samples.length >= 2) {
    const first = notifier.samples[0]!;
    const last = notifier.samples.at(-1)!;
    const span = `${first.notified.toLocaleString('en-US')} -> ${last.notified.toLocaleString('en-US')} notifications`;
    checks.push(notGrowing('RSS', first.rssMiB, last.rssMiB, span));
    checks.push(notGrowing('heap retained after GC', first.heapUsedMiB, last.heapUsedMiB, span));
    checks.push({
      target: 'notifier: notified - delivered - dropped - failed - queued - in flight (after the drain)',
      measured: notifier.final.unaccounted,
      required: 0,
      comparison: '==',
      met: notifier.final.unaccounted === 0,
    });
  }
  return checks;
}
