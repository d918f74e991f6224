import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createEventId, createUlid, timeOfEventId } from '../src/index.js';

describe('createEventId', () => {
  it('has the evt_ prefix and a 26-character ULID', () => {
    expect(createEventId()).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('encodes the creation time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 48 - 1 }), async (time) => {
        vi.resetModules();
        const fresh = await import('../src/ids.js');
        expect(fresh.timeOfEventId(fresh.createEventId(time))).toBe(time);
      }),
      { numRuns: 50 },
    );
    expect(timeOfEventId('not-an-id')).toBeUndefined();
  });

  it('never goes backwards when the clock does (monotonic within a process)', () => {
    const later = createEventId(6_000_000_000_000);
    const earlier = createEventId(5_999_999_999_000);
    expect(earlier > later).toBe(true);
  });

  it('increases strictly within one millisecond and across milliseconds', () => {
    const ids = Array.from({ length: 10_000 }, () => createEventId(7_000_000_000_000));
    const later = createEventId(7_000_000_000_001);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(later > ids[ids.length - 1]!).toBe(true);
  });

  it('sorts by time across calls with different times', () => {
    const a = createUlid(8_000_000_000_000);
    const b = createUlid(8_000_000_000_500);
    expect(a < b).toBe(true);
  });
});
