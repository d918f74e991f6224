import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, percentile, ratio, round, summarize } from '../src/stats.js';

describe('stats', () => {
  it('takes percentiles by nearest rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0.5)).toBe(5);
    expect(percentile(sorted, 0.99)).toBe(10);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('summarises unsorted latencies with p50 <= p99 <= max drawn from the samples', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }), (values) => {
        const summary = summarize(values);
        expect(summary.count).toBe(values.length);
        expect(summary.p50).toBeLessThanOrEqual(summary.p99);
        expect(summary.p99).toBeLessThanOrEqual(summary.max);
        expect(summary.max).toBe(round(Math.max(...values), 2));
      }),
    );
    expect(summarize([3, 1, 2])).toEqual({ count: 3, p50: 2, p99: 3, max: 3 });
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([])).toBe(0);
  });

  it('gives null ratios when a side is missing or zero', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(2, 3)).toBe(0.67);
    expect(ratio(null, 4)).toBeNull();
    expect(ratio(4, undefined)).toBeNull();
    expect(ratio(4, 0)).toBeNull();
  });
});
