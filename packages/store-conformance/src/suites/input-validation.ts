import { STORE_LIMITS } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { expectInvalidInput, MINUTE, newEvent } from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

function cyclic(): unknown {
  const value: Record<string, unknown> = { name: 'loop' };
  value.self = value;
  return value;
}

/** Registers the tests that bad input is refused with an InvalidInputError naming the field, writing nothing. */
export function inputValidationSuite(context: SuiteContext): void {
  describe('input validation', () => {
    it('insert refuses payloads JSON cannot carry (function, bigint, symbol, cycle, NaN, Infinity, undefined)', async () => {
      const harness = context.harness();
      const payloads: unknown[] = [
        () => 1,
        { amount: 10n },
        { tag: Symbol('x') },
        cyclic(),
        { ratio: Number.NaN },
        [Number.POSITIVE_INFINITY],
        undefined,
      ];
      for (const payload of payloads) {
        await expectInvalidInput(() => harness.store.insert(newEvent({ payload })), 'payload');
      }
      expect(await harness.raw.countEvents()).toBe(0);
    });

    it('insert refuses a payload over 1 MiB (default limit) and accepts one just under it', async () => {
      const harness = context.harness();
      const over = 'x'.repeat(STORE_LIMITS.maxPayloadBytes);
      const error = await expectInvalidInput(
        () => harness.store.insert(newEvent({ payload: over })),
        'payload',
      );
      expect(error.message).toContain(String(STORE_LIMITS.maxPayloadBytes));
      expect(await harness.raw.countEvents()).toBe(0);
      const under = 'x'.repeat(STORE_LIMITS.maxPayloadBytes - 2);
      const { event } = await harness.store.insert(newEvent({ payload: under }));
      expect((await harness.raw.event(event.id))?.payload).toBe(under);
    });

    it('insert refuses an empty, too long or control-character eventType or key, a bad targetUrl, a bad id or maxAttempts', async () => {
      const harness = context.harness();
      const cases: [Parameters<typeof newEvent>[0], string][] = [
        [{ eventType: '' }, 'eventType'],
        [{ eventType: '   ' }, 'eventType'],
        [{ eventType: 'x'.repeat(201) }, 'eventType'],
        [{ eventType: 'order\u0000paid' }, 'eventType'],
        [{ eventType: 'order\npaid' }, 'eventType'],
        [{ eventType: 'order.\ud800' }, 'eventType'],
        [{ idempotencyKey: 'key\u0000' }, 'idempotencyKey'],
        [{ targetUrl: 'not a url' }, 'targetUrl'],
        [{ targetUrl: 'ftp://files.example.test/x' }, 'targetUrl'],
        [{ id: 'has space' }, 'id'],
        [{ id: 'x'.repeat(65) }, 'id'],
        [{ maxAttempts: 0 }, 'maxAttempts'],
        [{ maxAttempts: 101 }, 'maxAttempts'],
        [{ maxAttempts: 1.5 }, 'maxAttempts'],
        [{ nextRetryAt: new Date(Number.NaN) }, 'nextRetryAt'],
        [{ idempotencyKey: '' }, 'idempotencyKey'],
        [{ skip: { reason: '' } }, 'skip.reason'],
        [{ lease: { workerId: 'w', leaseMs: 0 } }, 'lease.leaseMs'],
      ];
      for (const [overrides, field] of cases) {
        await expectInvalidInput(() => harness.store.insert(newEvent(overrides)), field);
      }
      expect(await harness.raw.countEvents()).toBe(0);
    });

    it('list refuses an unknown status, a bad limit, a bad order and a bad cursor', async () => {
      const harness = context.harness();
      await harness.store.insert(newEvent());
      const store = harness.store;
      await expectInvalidInput(() => store.list({ status: 'lost' as unknown as 'pending' }), 'status');
      await expectInvalidInput(
        () => store.list({ status: ['pending', 'nope' as unknown as 'failed'] }),
        'status',
      );
      for (const limit of [0, -1, 1001, 1e9, 2.5])
        await expectInvalidInput(() => store.list({ limit }), 'limit');
      await expectInvalidInput(() => store.list({ order: 'sideways' as unknown as 'asc' }), 'order');
      for (const cursor of ['garbage', 'djE6aGFzIHNwYWNl', 'x'.repeat(300)]) {
        await expectInvalidInput(() => store.list({ cursor }), 'cursor');
      }
      await expectInvalidInput(() => store.list({ since: new Date('nope') }), 'since');
      await expectInvalidInput(() => store.list({ eventType: '' }), 'eventType');
      await expectInvalidInput(() => store.list({ eventType: 'a\u0000b' }), 'eventType');
    });

    it('listDue and claimDue refuse bad limits, lease lengths and worker ids, leasing nothing', async () => {
      const harness = context.harness();
      await harness.store.insert(newEvent());
      const store = harness.store;
      for (const limit of [0, -5, 1001]) {
        await expectInvalidInput(() => store.listDue({ limit }), 'limit');
        await expectInvalidInput(() => store.claimDue({ workerId: 'w', limit, leaseMs: MINUTE }), 'limit');
      }
      for (const leaseMs of [0, -1, 24 * 60 * MINUTE + 1]) {
        await expectInvalidInput(() => store.claimDue({ workerId: 'w', limit: 1, leaseMs }), 'leaseMs');
        await expectInvalidInput(() => store.claimById('evt_x', { workerId: 'w', leaseMs }), 'leaseMs');
      }
      await expectInvalidInput(() => store.claimDue({ workerId: '', limit: 1, leaseMs: MINUTE }), 'workerId');
      await expectInvalidInput(
        () => store.claimById('evt_x', { workerId: ' ', leaseMs: MINUTE }),
        'workerId',
      );
      await expectInvalidInput(() => store.claimById('bad id', { workerId: 'w', leaseMs: MINUTE }), 'id');
      await expectInvalidInput(() => store.releaseLeases(['bad id'], 'w'), 'ids[0]');
      await expectInvalidInput(() => store.releaseLeases([], ''), 'workerId');
      expect(await store.listDue()).toHaveLength(1);
    });

    it('get, listAttempts and recordOutcome refuse malformed ids and outcomes', async () => {
      const harness = context.harness();
      const store = harness.store;
      await expectInvalidInput(() => store.get('no/slashes'), 'id');
      await expectInvalidInput(() => store.listAttempts('no spaces'), 'eventId');
      const now = new Date();
      const good = {
        eventId: 'evt_x',
        workerId: 'w',
        attemptNumber: 1,
        attempt: { startedAt: now, finishedAt: now },
        result: { kind: 'delivered' as const },
      };
      await expectInvalidInput(() => store.recordOutcome({ ...good, attemptNumber: 0 }), 'attemptNumber');
      await expectInvalidInput(() => store.recordOutcome({ ...good, eventId: 'bad id' }), 'eventId');
      await expectInvalidInput(
        () => store.recordOutcome({ ...good, result: { kind: 'maybe' } as unknown as { kind: 'failed' } }),
        'result.kind',
      );
      await expectInvalidInput(
        () =>
          store.recordOutcome({ ...good, result: { kind: 'retry', nextRetryAt: 'soon' as unknown as Date } }),
        'result.nextRetryAt',
      );
      await expectInvalidInput(
        () =>
          store.recordOutcome({ ...good, attempt: { startedAt: now, finishedAt: now, responseStatus: 99 } }),
        'attempt.responseStatus',
      );
      expect(await harness.raw.countAttempts()).toBe(0);
    });

    it('replay and prune refuse bad selectors and options', async () => {
      const harness = context.harness();
      const store = harness.store;
      await expectInvalidInput(() => store.replay({ ids: [] }, { limit: 1 }), 'ids');
      await expectInvalidInput(() => store.replay({ ids: ['bad id'] }, { limit: 1 }), 'ids[0]');
      await expectInvalidInput(
        () => store.replay({ eventType: 'x', status: 'pending' as unknown as 'failed' }, { limit: 1 }),
        'status',
      );
      await expectInvalidInput(
        () => store.replay({ eventType: 'x' }, { limit: 1, maxReplays: -1 }),
        'maxReplays',
      );
      await expectInvalidInput(() => store.prune({ olderThan: new Date('nope') }), 'olderThan');
    });
  });
}
