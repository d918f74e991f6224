import { describe, expect, it } from 'vitest';
import { expectHooksError, MINUTE, newEvent } from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

/** Registers the tests of `kind`, `init`, `ping` and `close`. */
export function lifecycleSuite(context: SuiteContext): void {
  describe('lifecycle', () => {
    it('has a kind, init is idempotent and ping resolves', async () => {
      const harness = context.harness();
      expect(typeof harness.store.kind).toBe('string');
      expect(harness.store.kind.length).toBeGreaterThan(0);
      await harness.store.init();
      await harness.store.init();
      await harness.store.ping();
      await harness.store.insert(newEvent());
      await harness.store.init();
      expect(await harness.raw.countEvents()).toBe(1);
    });

    it('after close every call rejects with a HooksError and close again resolves', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      await harness.store.close();
      const store = harness.store;
      const calls: (() => Promise<unknown>)[] = [
        () => store.get(event.id),
        () => store.insert(newEvent()),
        () => store.insertMany([newEvent()]),
        () => store.list(),
        () => store.countByStatus(),
        () => store.listDue(),
        () => store.claimDue({ workerId: 'w', limit: 1, leaseMs: MINUTE }),
        () => store.claimById(event.id, { workerId: 'w', leaseMs: MINUTE }),
        () => store.replay({ ids: [event.id] }, { limit: 1 }),
        () => store.prune({ olderThan: new Date() }),
        () => store.ping(),
      ];
      for (const call of calls) await expectHooksError(call);
      await store.close();
      expect(await harness.raw.countEvents()).toBe(1);
    });
  });
}
