/** A running sampler of this process's resident set size. */
export interface RssSampler {
  /** Largest RSS seen so far, in bytes. */
  peak(): number;
  /** Stops sampling; returns the peak in bytes. */
  stop(): number;
}

/**
 * Samples `process.memoryUsage.rss()` every `intervalMs` (and on `peak`/`stop`) and keeps the largest value.
 *
 * @example
 * const rss = startRssSampler();
 * await work();
 * console.log(rss.stop() / 2 ** 20, 'MiB peak');
 */
export function startRssSampler(intervalMs = 25): RssSampler {
  let peak = process.memoryUsage.rss();
  const sample = (): number => {
    peak = Math.max(peak, process.memoryUsage.rss());
    return peak;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peak: sample,
    stop: () => {
      clearInterval(timer);
      return sample();
    },
  };
}

/** Bytes as MiB, one decimal. */
export function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}
