/** Percentiles of a latency sample, in milliseconds (null when nothing was recorded yet). */
export interface LatencySummary {
  /** Samples currently held (at most the reservoir's size). */
  count: number;
  /** Median. */
  p50: number | null;
  /** 90th percentile. */
  p90: number | null;
  /** 99th percentile. */
  p99: number | null;
  /** Largest sample held. */
  max: number | null;
}

/**
 * A fixed-size window over the most recent latency samples (a ring buffer), so memory stays bounded however
 * long the process runs; percentiles are computed on demand.
 *
 * @example
 * const reservoir = new LatencyReservoir(1024);
 * reservoir.record(12.5);
 * reservoir.summary().p50; // 12.5
 */
export class LatencyReservoir {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(size = 2048) {
    this.samples = new Float64Array(Math.max(1, Math.floor(size)));
  }

  /** Adds one sample (negative or non-finite samples are ignored). */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.filled < this.samples.length) this.filled += 1;
  }

  /** p50 / p90 / p99 / max over the samples held. */
  summary(): LatencySummary {
    if (this.filled === 0) return { count: 0, p50: null, p90: null, p99: null, max: null };
    const sorted = this.samples.slice(0, this.filled).sort();
    const at = (q: number): number =>
      round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
    return {
      count: this.filled,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: round(sorted[sorted.length - 1]!),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
