import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_AFTER_BOUNDS, parseRetryAfter } from '../src/index.js';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(['7'], now)).toBe(7_000);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
  });

  it('clamps to the window: min 1 s, max 1 h by default', () => {
    expect(DEFAULT_RETRY_AFTER_BOUNDS).toEqual({ minMs: 1000, maxMs: 3_600_000 });
    expect(parseRetryAfter('0', now)).toBe(1000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(1000);
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
    expect(parseRetryAfter('100', now, { minMs: 0, maxMs: 50_000 })).toBe(50_000);
  });

  it('ignores an absent or unreadable header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
