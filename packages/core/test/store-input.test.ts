import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
  InvalidInputError,
  normaliseListQuery,
  normalisePrune,
  normaliseReplay,
  prepareNewEvent,
  prepareNewEvents,
  prepareOutcome,
  STORE_LIMITS,
  UNBOUNDED_REPLAY_MESSAGE,
} from '../src/index.js';

const now = new Date('2026-01-01T00:00:00Z');

function fieldOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(InvalidInputError.isInstance(error)).toBe(true);
    return (error as InvalidInputError).details?.field;
  }
  throw new Error('expected an InvalidInputError');
}

describe('prepareNewEvent', () => {
  it('remembers only what it accepted: a name or URL checked once is still refused where it breaks a rule', () => {
    const event = (fields: Record<string, unknown>) =>
      prepareNewEvent({ eventType: 'a', payload: 1, ...fields } as never, now);
    const long = 'x'.repeat(150);
    expect(event({ eventType: long, targetUrl: 'https://x.test/h' }).eventType).toBe(long);
    // The same long name as a worker id (at most 200) passes, and the same URL again passes.
    expect(event({ eventType: long, lease: { workerId: long, leaseMs: 1000 } }).lockedBy).toBe(long);
    expect(event({ targetUrl: 'https://x.test/h' }).targetUrl).toBe('https://x.test/h');
    expect(fieldOf(() => event({ idempotencyKey: 'bad\u0000key' }))).toBe('idempotencyKey');
    expect(fieldOf(() => event({ eventType: 'x'.repeat(201) }))).toBe('eventType');
    expect(fieldOf(() => event({ targetUrl: 'ftp://x.test/h' }))).toBe('targetUrl');
    expect(fieldOf(() => event({ targetUrl: 'not a url' }))).toBe('targetUrl');
    expect(fieldOf(() => event({ targetUrl: 42 }))).toBe('targetUrl');
    expect(event({ targetUrl: 'http://y.test/' }).targetUrl).toBe('http://y.test/');
  });

  it('applies defaults and keeps the serialised payload', () => {
    const event = prepareNewEvent(
      { eventType: 'order.paid', payload: { total: 5 }, targetUrl: 'https://x.test/h' },
      now,
    );
    expect(event).toMatchObject({
      eventType: 'order.paid',
      payload: { total: 5 },
      payloadJson: '{"total":5}',
      status: 'pending',
      maxAttempts: 8,
      nextRetryAt: null,
      lockedBy: null,
      insertedAt: now,
    });
    expect(event.id).toMatch(/^evt_/);
  });

  it('can insert skipped with a reason, or leased to a worker', () => {
    expect(
      prepareNewEvent({ eventType: 'a', payload: 1, skip: { reason: 'no target URL configured' } }, now),
    ).toMatchObject({ status: 'skipped', lastError: 'no target URL configured' });
    const leased = prepareNewEvent(
      { eventType: 'a', payload: 1, lease: { workerId: 'w1', leaseMs: 1000 } },
      now,
    );
    expect(leased.lockedBy).toBe('w1');
    expect(leased.lockedUntil).toEqual(new Date(now.getTime() + 1000));
  });

  it('names the bad field', () => {
    expect(fieldOf(() => prepareNewEvent({ eventType: '', payload: 1 }, now))).toBe('eventType');
    expect(fieldOf(() => prepareNewEvent({ eventType: 'a', payload: () => 1 }, now))).toBe('payload');
    expect(fieldOf(() => prepareNewEvent({ eventType: 'a', payload: 'x'.repeat(100) }, now, 50))).toBe(
      'payload',
    );
    expect(fieldOf(() => prepareNewEvent({ eventType: 'a', payload: 1, targetUrl: 'ftp://x' }, now))).toBe(
      'targetUrl',
    );
    expect(fieldOf(() => prepareNewEvent({ eventType: 'a', payload: 1, targetUrl: 'nope' }, now))).toBe(
      'targetUrl',
    );
    expect(fieldOf(() => prepareNewEvent({ eventType: 'a', payload: 1, maxAttempts: 0 }, now))).toBe(
      'maxAttempts',
    );
    expect(fieldOf(() => prepareNewEvent({ eventType: 'a', payload: 1, id: 'has space' }, now))).toBe('id');
    expect(
      fieldOf(() => prepareNewEvent({ eventType: 'a', payload: 1, nextRetryAt: new Date('x') }, now)),
    ).toBe('nextRetryAt');
  });

  it('prefixes batch errors with the item index', () => {
    expect(
      fieldOf(() =>
        prepareNewEvents(
          [
            { eventType: 'a', payload: 1 },
            { eventType: 'b', payload: 10n },
          ],
          now,
        ),
      ),
    ).toBe('events[1].payload');
    const tooMany = Array.from({ length: STORE_LIMITS.maxBatchSize + 1 }, () => ({
      eventType: 'a',
      payload: 1,
    }));
    expect(fieldOf(() => prepareNewEvents(tooMany, now))).toBe('events');
  });
});

describe('list queries and cursors', () => {
  it('round-trips cursors and refuses forged ones', () => {
    expect(decodeCursor(encodeCursor('evt_01ABC'))).toBe('evt_01ABC');
    expect(fieldOf(() => decodeCursor('garbage'))).toBe('cursor');
    expect(fieldOf(() => decodeCursor(Buffer.from('v1:bad id').toString('base64url')))).toBe('cursor');
  });

  it('checks filters and limits', () => {
    expect(normaliseListQuery()).toMatchObject({ limit: 50, order: 'desc', statuses: null });
    expect(normaliseListQuery({ status: 'failed' }).statuses).toEqual(['failed']);
    expect(fieldOf(() => normaliseListQuery({ status: 'lost' as never }))).toBe('status');
    expect(fieldOf(() => normaliseListQuery({ limit: -1 }))).toBe('limit');
    expect(fieldOf(() => normaliseListQuery({ limit: 1001 }))).toBe('limit');
    expect(fieldOf(() => normaliseListQuery({ order: 'up' as never }))).toBe('order');
  });
});

describe('outcomes', () => {
  it('caps texts and computes the duration', () => {
    const outcome = prepareOutcome({
      eventId: 'evt_1',
      workerId: 'w',
      attemptNumber: 1,
      attempt: {
        startedAt: now,
        finishedAt: new Date(now.getTime() + 25),
        responseBody: 'x'.repeat(100_000),
      },
      result: { kind: 'delivered' },
    });
    expect(outcome.durationMs).toBe(25);
    expect(outcome.responseBody!.length).toBe(STORE_LIMITS.maxTextBytes);
  });

  it('refuses an unknown result kind', () => {
    expect(
      fieldOf(() =>
        prepareOutcome({
          eventId: 'evt_1',
          workerId: 'w',
          attemptNumber: 1,
          attempt: { startedAt: now, finishedAt: now },
          result: { kind: 'lost' } as never,
        }),
      ),
    ).toBe('result.kind');
  });
});

describe('replay and prune', () => {
  it('refuses an unbounded replay with examples', () => {
    expect(() => normaliseReplay({}, { limit: 10 })).toThrow(/Refusing an unbounded replay.*eventType/);
    expect(() => normaliseReplay({ eventType: 'a' }, {} as never)).toThrow(/limit is required/);
    expect(fieldOf(() => normaliseReplay({ eventType: 'a' }, { limit: 10_001 }))).toBe('limit');
    expect(fieldOf(() => normaliseReplay({ ids: [] }, { limit: 1 }))).toBe('ids');
    // An empty list selects nothing: refused like the other lists, not taken as a bound.
    expect(() => normaliseReplay({ eventType: [] }, { limit: 1 })).toThrow(/^eventType must not be empty$/);
    expect(fieldOf(() => normaliseReplay({ eventType: [] }, { limit: 1 }))).toBe('eventType');
    expect(fieldOf(() => normaliseReplay({ eventType: 'a', status: 'pending' as never }, { limit: 1 }))).toBe(
      'status',
    );
  });

  it('selects by targetUrl: one URL or a list, alone a bound; bad values refused naming targetUrl', () => {
    const url = 'https://receiver.example.test/hooks?token=s3cret';
    expect(normaliseReplay({ targetUrl: url }, { limit: 5 })).toMatchObject({
      targetUrls: [url],
      ids: null,
      eventTypes: null,
      statuses: ['failed'],
    });
    const list = ['http://a.example.test/h', 'https://b.example.test/h'];
    const normalised = normaliseReplay({ targetUrl: list, eventType: 'a' }, { limit: 5 });
    expect(normalised.targetUrls).toEqual(list);
    expect(normalised.targetUrls).not.toBe(list);
    expect(normaliseReplay({ eventType: 'a' }, { limit: 5 }).targetUrls).toBeNull();
    expect(UNBOUNDED_REPLAY_MESSAGE).toContain('targetUrl');
    const refused: [unknown, RegExp][] = [
      [[], /^targetUrl must not be empty$/],
      ['', /^targetUrl must be an absolute URL$/],
      ['not a url', /^targetUrl must be an absolute URL$/],
      ['/relative/hooks', /^targetUrl must be an absolute URL$/],
      ['ftp://files.example.test/x', /^targetUrl must be an http or https URL$/],
      ['token123:s3cret', /^targetUrl must be an http or https URL$/],
      [42, /^targetUrl must be a string, got number$/],
      [null, /^targetUrl must be a string, got null$/],
      [[url, 'mailto:a@b.test'], /^targetUrl\[1\] must be an http or https URL$/],
      [[url, ['nested']], /^targetUrl\[1\] must be a string, got an array$/],
    ];
    for (const [targetUrl, message] of refused) {
      const run = () => normaliseReplay({ targetUrl: targetUrl as string }, { limit: 5 });
      expect(fieldOf(run), JSON.stringify(targetUrl)).toBe('targetUrl');
      expect(run).toThrow(message);
      // The URL is never echoed: it may hold a credential.
      expect(run).not.toThrow(/s3cret/);
    }
  });

  it('defaults to failed rows and a cap of 5', () => {
    expect(normaliseReplay({ eventType: 'a' }, { limit: 3 })).toMatchObject({
      statuses: ['failed'],
      maxReplays: 5,
      dryRun: false,
      limit: 3,
    });
  });

  it('never prunes pending rows', () => {
    expect(normalisePrune({ olderThan: now }).statuses).toEqual(['delivered']);
    expect(fieldOf(() => normalisePrune({ olderThan: now, statuses: ['pending' as never] }))).toBe(
      'statuses',
    );
  });
});
