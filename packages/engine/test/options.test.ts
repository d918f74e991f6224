import { inspect } from 'node:util';
import { ConfigurationError } from '@hooks/core';
import { createGitHubScheme, createStandardWebhooksScheme, generateEd25519KeyPair } from '@hooks/signing';
import { describe, expect, it } from 'vitest';
import { resolveDispatcherOptions } from '../src/dispatcher-options.js';
import { createDispatcher, type DispatcherOptions, SVIX_SCHEDULE } from '../src/index.js';
import { SECRET } from './helpers/fixtures.js';

const URL_WITH_TOKEN = 'https://hooks.example.test/in?token=abc123';

function configError(options: DispatcherOptions): ConfigurationError {
  try {
    resolveDispatcherOptions(options);
  } catch (error) {
    expect(ConfigurationError.isInstance(error), String(error)).toBe(true);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('createDispatcher options', () => {
  it('applies defaults and freezes the result', () => {
    const options = resolveDispatcherOptions({ targetUrl: URL_WITH_TOKEN, secret: SECRET });
    expect(options).toMatchObject({
      deliveryMode: 'async',
      maxAttempts: 8,
      queue: { capacity: 1000, policy: 'drop_oldest', blockTimeoutMs: 5000, onDrop: 'auto' },
      concurrency: 32,
      perOriginConcurrency: 64,
      timeouts: { connectMs: 5000, totalMs: 15_000 },
      maxPayloadBytes: 256 * 1024,
      maxResponseBodyBytes: 4096,
      maxResponseReadBytes: 65_536,
      retryAfter: { minMs: 1000, maxMs: 3_600_000 },
      leaseMs: 60_000,
      scheduler: { batchSize: 100, pollIntervalMs: 1000 },
      ownsStore: true,
    });
    expect(options.retry).toBe(SVIX_SCHEDULE);
    expect(options.store.kind).toBe('memory');
    expect(options.workerId).toMatch(/^[\w.-]+-\d+-[0-9a-f]{6}$/);
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options.queue)).toBe(true);
    expect(resolveDispatcherOptions({ timeouts: { totalMs: 45_000 } }).leaseMs).toBe(90_000);
  });

  it.each<[string, DispatcherOptions, string]>([
    ['a relative URL', { targetUrl: '/hooks', secret: SECRET }, 'targetUrl'],
    ['a non-http URL', { targetUrl: 'ftp://example.test/x', secret: SECRET }, 'targetUrl'],
    ['an empty secret', { targetUrl: URL_WITH_TOKEN, secret: '' }, 'secret'],
    ['a malformed secret', { targetUrl: URL_WITH_TOKEN, secret: 'whsec_not base64!' }, 'secret'],
    ['a target without a secret', { targetUrl: URL_WITH_TOKEN }, 'secret'],
    ['both scheme and secret', { secret: SECRET, scheme: createGitHubScheme({ secret: 'x' }) }, 'scheme'],
    ['an unknown mode', { deliveryMode: 'eventually' as 'sync' }, 'deliveryMode'],
    ['an unknown policy', { queue: { policy: 'drop_all' as 'drop_new' } }, 'queue.policy'],
    ['an unknown drop handling', { queue: { onDrop: 'lose' as 'skip' } }, 'queue.onDrop'],
    ['a zero capacity', { queue: { capacity: 0 } }, 'queue.capacity'],
    ['a negative block timeout', { queue: { blockTimeoutMs: -1 } }, 'queue.blockTimeoutMs'],
    ['a negative concurrency', { concurrency: -4 }, 'concurrency'],
    ['a fractional per-origin limit', { perOriginConcurrency: 1.5 }, 'perOriginConcurrency'],
    ['a negative timeout', { timeouts: { totalMs: -5 } }, 'timeouts.totalMs'],
    ['a lease shorter than a request', { timeouts: { totalMs: 10_000 }, leaseMs: 5_000 }, 'leaseMs'],
    ['a negative maxAttempts', { maxAttempts: -1 }, 'maxAttempts'],
    [
      'a bad retry policy',
      { retry: { kind: 'exponential', baseMs: -1, maxMs: 1, jitter: 'none' } },
      'retry.baseMs',
    ],
    ['an inverted Retry-After window', { retryAfter: { minMs: 10, maxMs: 5 } }, 'retryAfter.maxMs'],
    ['a reserved header', { secret: SECRET, headers: { 'Content-Type': 'text/plain' } }, 'headers'],
    ['a signature header', { secret: SECRET, headers: { 'webhook-signature': 'v1,x' } }, 'headers'],
    ['a header with a newline', { headers: { 'x-a': 'a\r\nb' } }, 'headers'],
    ['a logger without debug', { logger: { info() {}, warn() {}, error() {} } as never }, 'logger'],
    ['an empty worker id', { workerId: ' ' }, 'workerId'],
    ['a clock that is not a function', { clock: 5 as never }, 'clock'],
    ['a store that is not one', { store: {} as never }, 'store'],
  ])('refuses %s, naming %s', (_, options, field) => {
    const error = configError(options);
    expect(error.details?.field).toBe(field);
    expect(error.message.startsWith(field)).toBe(true);
    const shown = [error.message, inspect(error, { depth: 5 })].join('\n');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain('token=abc123');
    expect(shown).not.toContain('not base64!');
  });

  it('accepts any @hooks/signing scheme that can sign, and refuses a verify-only key', () => {
    expect(() =>
      createDispatcher({ targetUrl: URL_WITH_TOKEN, scheme: createGitHubScheme({ secret: 'gh' }) }),
    ).not.toThrow();
    const { publicKey } = generateEd25519KeyPair();
    const verifyOnly = createStandardWebhooksScheme({ secret: publicKey });
    expect(configError({ targetUrl: URL_WITH_TOKEN, scheme: verifyOnly }).details?.field).toBe('scheme');
  });
});
