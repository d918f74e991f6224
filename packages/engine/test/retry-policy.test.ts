import { ConfigurationError, InvalidInputError } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseSchedule, type RetryPolicy, retryDelayMs, SVIX_SCHEDULE } from '../src/index.js';
import { checkRetryPolicy } from '../src/retry-policy.js';

describe('SVIX_SCHEDULE', () => {
  it('is 0, 5 s, 5 m, 30 m, 2 h, 5 h, 10 h, 10 h and reuses the last step', () => {
    expect(SVIX_SCHEDULE.delaysMs).toEqual([
      0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((attempt) => retryDelayMs(SVIX_SCHEDULE, attempt));
    expect(waits).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000,
    ]);
    expect(Object.isFrozen(SVIX_SCHEDULE.delaysMs)).toBe(true);
  });
});

describe('exponential backoff', () => {
  const base = { kind: 'exponential', baseMs: 1000, maxMs: 10_000 } as const;

  it('doubles from baseMs and is capped at maxMs without jitter', () => {
    const policy: RetryPolicy = { ...base, jitter: 'none' };
    expect([1, 2, 3, 4, 5, 60].map((n) => retryDelayMs(policy, n))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('full jitter is uniform in [0, delay] from the injected random source', () => {
    const policy: RetryPolicy = { ...base, jitter: 'full' };
    expect(retryDelayMs(policy, 3, { random: () => 0 })).toBe(0);
    expect(retryDelayMs(policy, 3, { random: () => 0.5 })).toBe(2000);
    expect(retryDelayMs(policy, 3, { random: () => 0.999999 })).toBe(3999);
    expect(retryDelayMs(policy, 10, { random: () => 0.5 })).toBe(5000);
  });

  it('decorrelated jitter stays in [baseMs, min(maxMs, 3 x previous)]', () => {
    const policy: RetryPolicy = { ...base, jitter: 'decorrelated' };
    expect(retryDelayMs(policy, 2, { random: () => 0, previousDelayMs: 3000 })).toBe(1000);
    expect(retryDelayMs(policy, 2, { random: () => 0.999999, previousDelayMs: 3000 })).toBe(8999);
    expect(retryDelayMs(policy, 2, { random: () => 0.999999, previousDelayMs: 9000 })).toBe(9999);
    expect(retryDelayMs(policy, 1, { random: () => 0.5 })).toBe(2000);
  });
});

describe('checkRetryPolicy', () => {
  it('returns a frozen copy of a valid policy', () => {
    const policy = checkRetryPolicy({ kind: 'schedule', delaysMs: [0, 1000] });
    expect(policy).toEqual({ kind: 'schedule', delaysMs: [0, 1000] });
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it.each([
    [{ kind: 'nope' }, 'retry.kind'],
    [{ kind: 'schedule', delaysMs: [] }, 'retry.delaysMs'],
    [{ kind: 'schedule', delaysMs: [0, -1] }, 'retry.delaysMs[1]'],
    [{ kind: 'exponential', baseMs: 0, maxMs: 10 }, 'retry'],
    [{ kind: 'exponential', baseMs: 100, maxMs: 10 }, 'retry'],
    [{ kind: 'exponential', baseMs: 1, maxMs: 10, jitter: 'some' }, 'retry.jitter'],
    [null, 'retry'],
  ])('refuses %j naming %s', (policy, field) => {
    try {
      checkRetryPolicy(policy);
      expect.unreachable();
    } catch (error) {
      expect(ConfigurationError.isInstance(error)).toBe(true);
      expect((error as ConfigurationError).details?.field).toBe(field);
    }
  });
});

describe('parseDuration / parseSchedule', () => {
  it('parses units, compounds, decimals and a bare 0', () => {
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration(' 1.5s ')).toBe(1500);
  });

  it('refuses a bare number, an unknown unit and garbage, saying how to write one', () => {
    for (const bad of ['30', '5x', 'soon', '', '-5s', '5 s']) {
      expect(() => parseDuration(bad)).toThrow(/use a number with a unit/);
    }
    expect(() => parseDuration('31d')).toThrow(/longer than 30 days/);
  });

  it('parses HOOKS_RETRY_SCHEDULE into a schedule policy', () => {
    expect(parseSchedule('0,5s,5m,30m')).toEqual({
      kind: 'schedule',
      delaysMs: [0, 5000, 300_000, 1_800_000],
    });
    expect(parseSchedule(' 0 , 1s ')).toEqual({ kind: 'schedule', delaysMs: [0, 1000] });
  });

  it('names the bad item by position and text', () => {
    try {
      parseSchedule('0,5s,fast,30m');
      expect.unreachable();
    } catch (error) {
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('retry schedule item 3 "fast"');
      expect((error as InvalidInputError).details?.field).toBe('schedule[2]');
    }
    expect(() => parseSchedule('0,,5s')).toThrow(/item 2 is empty/);
    expect(() => parseSchedule('  ')).toThrow(/retry schedule is empty/);
  });
});
