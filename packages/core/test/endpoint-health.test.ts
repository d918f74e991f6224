import { describe, expect, it } from 'vitest';
import {
  checkEndpointPolicy,
  checkEndpointUrl,
  enabledEndpoint,
  foldEndpointResults,
  InvalidInputError,
  newEndpointHealth,
  normaliseEndpointQuery,
  prepareEndpointResults,
  redactEndpointUrl,
} from '../src/index.js';

const URL_A = 'https://a.example.test/hook';
const T0 = new Date('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(T0.getTime() + ms);
const OFF = checkEndpointPolicy(undefined);

function results(...entries: Parameters<typeof prepareEndpointResults>[0][]) {
  return prepareEndpointResults(entries.flat()).get(URL_A) ?? [];
}

function invalidField(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(InvalidInputError.isInstance(error)).toBe(true);
    return String((error as InvalidInputError).details?.field);
  }
  throw new Error('expected an InvalidInputError');
}

describe('foldEndpointResults', () => {
  it('counts failures from the first one, and a success ends the streak', () => {
    const start = newEndpointHealth(URL_A, T0);
    const failing = foldEndpointResults(
      start,
      results([
        { url: URL_A, kind: 'failure', at: at(1), error: 'HTTP 500' },
        { url: URL_A, kind: 'failure', count: 3, at: at(2), error: 'HTTP 502' },
      ]),
      OFF,
      at(3),
    );
    expect(failing).toMatchObject({ changed: true, disabled: false });
    expect(failing.next).toMatchObject({
      state: 'failing',
      consecutiveFailures: 4,
      failingSince: at(1),
      lastFailureAt: at(2),
      lastError: 'HTTP 502',
      disabledAt: null,
      updatedAt: at(3),
    });
    const healed = foldEndpointResults(
      failing.next,
      results([{ url: URL_A, kind: 'success', at: at(4) }]),
      OFF,
      at(5),
    );
    expect(healed.next).toMatchObject({
      state: 'healthy',
      consecutiveFailures: 0,
      failingSince: null,
      lastSuccessAt: at(4),
      lastFailureAt: at(2),
    });
  });

  it('disables at once on gone, with the reason 410 Gone, and ignores what follows', () => {
    const fold = foldEndpointResults(
      newEndpointHealth(URL_A, T0),
      results([
        { url: URL_A, kind: 'gone', at: at(1) },
        { url: URL_A, kind: 'success', at: at(2) },
      ]),
      OFF,
      at(3),
    );
    expect(fold.disabled).toBe(true);
    expect(fold.next).toMatchObject({
      state: 'disabled',
      consecutiveFailures: 1,
      disabledAt: at(3),
      disabledReason: '410 Gone',
      lastSuccessAt: null,
    });
    const later = foldEndpointResults(
      fold.next,
      results([{ url: URL_A, kind: 'success', at: at(9) }]),
      OFF,
      at(9),
    );
    expect(later).toEqual({ next: fold.next, changed: false, disabled: false });
  });

  it('disables after N consecutive failures only when the policy asks', () => {
    const three = results([{ url: URL_A, kind: 'failure', count: 3, at: at(1) }]);
    expect(foldEndpointResults(newEndpointHealth(URL_A, T0), three, OFF, at(2)).disabled).toBe(false);
    const policy = checkEndpointPolicy({ disableAfterFailures: 3 });
    const fold = foldEndpointResults(newEndpointHealth(URL_A, T0), three, policy, at(2));
    expect(fold.disabled).toBe(true);
    expect(fold.next.disabledReason).toBe('3 consecutive failed attempts');
    const two = results([{ url: URL_A, kind: 'failure', count: 2, at: at(1) }]);
    expect(foldEndpointResults(newEndpointHealth(URL_A, T0), two, policy, at(2)).disabled).toBe(false);
  });

  it('disables a streak that lasted disableAfterMs by now', () => {
    const policy = checkEndpointPolicy({ disableAfterMs: 24 * HOUR });
    const first = foldEndpointResults(
      newEndpointHealth(URL_A, T0),
      results([{ url: URL_A, kind: 'failure', at: at(0) }]),
      policy,
      at(0),
    );
    const early = foldEndpointResults(
      first.next,
      results([{ url: URL_A, kind: 'failure', at: at(24 * HOUR - 1) }]),
      policy,
      at(24 * HOUR - 1),
    );
    expect(early.disabled).toBe(false);
    const late = foldEndpointResults(
      early.next,
      results([{ url: URL_A, kind: 'failure', at: at(24 * HOUR) }]),
      policy,
      at(24 * HOUR),
    );
    expect(late.disabled).toBe(true);
    expect(late.next.disabledReason).toBe(`failing continuously since ${T0.toISOString()}`);
  });

  it('a success in the batch before the threshold is reached restarts the count', () => {
    const policy = checkEndpointPolicy({ disableAfterFailures: 3 });
    const fold = foldEndpointResults(
      newEndpointHealth(URL_A, T0),
      results([
        { url: URL_A, kind: 'failure', count: 2, at: at(1) },
        { url: URL_A, kind: 'success', at: at(2) },
        { url: URL_A, kind: 'failure', count: 2, at: at(3) },
      ]),
      policy,
      at(4),
    );
    expect(fold.disabled).toBe(false);
    expect(fold.next).toMatchObject({ consecutiveFailures: 2, failingSince: at(3) });
  });

  it('enabledEndpoint clears the streak and the disable but keeps the history times', () => {
    const disabled = foldEndpointResults(
      newEndpointHealth(URL_A, T0),
      results([{ url: URL_A, kind: 'gone', at: at(1) }]),
      OFF,
      at(1),
    ).next;
    expect(enabledEndpoint(disabled, at(2))).toMatchObject({
      state: 'healthy',
      consecutiveFailures: 0,
      failingSince: null,
      disabledAt: null,
      disabledReason: null,
      lastFailureAt: at(1),
      updatedAt: at(2),
    });
  });
});

describe('endpoint input', () => {
  it('groups results by URL in order and caps the error text', () => {
    const grouped = prepareEndpointResults([
      { url: URL_A, kind: 'failure', at: at(1), error: 'x'.repeat(5000) },
      { url: 'http://b.example.test/', kind: 'success', at: at(2) },
      { url: URL_A, kind: 'success', at: at(3), count: 7 },
    ]);
    expect([...grouped.keys()]).toEqual([URL_A, 'http://b.example.test/']);
    expect(grouped.get(URL_A)!.map((result) => result.kind)).toEqual(['failure', 'success']);
    expect(grouped.get(URL_A)![0]!.error!.length).toBeLessThanOrEqual(1024);
    expect(grouped.get(URL_A)![1]!.count).toBe(1);
  });

  it('names the bad field and never echoes the URL', () => {
    expect(invalidField(() => prepareEndpointResults('nope'))).toBe('results');
    expect(invalidField(() => prepareEndpointResults([{ url: 'ftp://x/', kind: 'failure', at: T0 }]))).toBe(
      'results[0].url',
    );
    expect(invalidField(() => prepareEndpointResults([{ url: URL_A, kind: 'bad', at: T0 }]))).toBe(
      'results[0].kind',
    );
    expect(invalidField(() => prepareEndpointResults([{ url: URL_A, kind: 'failure', at: 'now' }]))).toBe(
      'results[0].at',
    );
    expect(
      invalidField(() => prepareEndpointResults([{ url: URL_A, kind: 'failure', count: 0, at: T0 }])),
    ).toBe('results[0].count');
    expect(invalidField(() => checkEndpointPolicy({ disableAfterFailures: 0 }))).toBe(
      'policy.disableAfterFailures',
    );
    expect(invalidField(() => checkEndpointPolicy({ disableAfterMs: -1 }))).toBe('policy.disableAfterMs');
    expect(invalidField(() => normaliseEndpointQuery({ state: 'sick' as never }))).toBe('state');
    expect(invalidField(() => normaliseEndpointQuery({ limit: 0 }))).toBe('limit');
    expect(() => checkEndpointUrl('https://user:hunter2@[bad')).toThrow(/^url must be an absolute http/);
    expect(() => checkEndpointUrl('https://user:hunter2@[bad')).not.toThrow(/hunter2/);
  });

  it('redactEndpointUrl drops credentials, query and fragment', () => {
    expect(redactEndpointUrl('https://user:pw@example.com:8443/hook?token=abc#x')).toBe(
      'https://example.com:8443/hook?…',
    );
    expect(redactEndpointUrl('http://127.0.0.1:4000/hooks')).toBe('http://127.0.0.1:4000/hooks');
    expect(redactEndpointUrl('not a url')).toBe('(invalid URL)');
  });
});
