import type { WebhookStore } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { claimOrFail, HOUR, newEvent, newEvents, outcomeFor, rawOrFail } from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

const PEERS = 4;
const ROWS = 200;
const CLAIM_LIMIT = 7;
const SLOW_TEST_MS = 60_000;

async function openPeers(context: SuiteContext): Promise<WebhookStore[]> {
  const harness = context.harness();
  return Promise.all(Array.from({ length: PEERS }, () => harness.openPeer()));
}

/** Registers the tests that run store operations from several peers at the same time. */
export function concurrencySuite(context: SuiteContext): void {
  const across = context.options.realConcurrency ? 'across separate connections' : 'on one instance';
  describe(`concurrency (${across})`, () => {
    it(
      `${PEERS} concurrent claimers never get the same row: ${ROWS} rows are each claimed exactly once`,
      async () => {
        const harness = context.harness();
        for (let offset = 0; offset < ROWS; offset += 50) await harness.store.insertMany(newEvents(50));
        const peers = await openPeers(context);
        const claims = new Map<string, string[]>();
        let rounds = 0;
        await Promise.all(
          peers.map(async (peer, index) => {
            const workerId = `claimer-${index}`;
            // Bounded, so that a store that hands out leased rows again fails instead of looping forever.
            for (let round = 0; round < ROWS; round++) {
              const rows = await peer.claimDue({ workerId, limit: CLAIM_LIMIT, leaseMs: HOUR });
              rounds += 1;
              if (rows.length === 0) return;
              expect(rows.length).toBeLessThanOrEqual(CLAIM_LIMIT);
              for (const row of rows) {
                expect(row.lockedBy).toBe(workerId);
                claims.set(row.id, [...(claims.get(row.id) ?? []), workerId]);
              }
            }
          }),
        );
        const duplicates = [...claims].filter(([, workers]) => workers.length > 1);
        expect(duplicates).toEqual([]);
        expect(claims.size).toBe(ROWS);
        expect(rounds).toBeGreaterThanOrEqual(Math.ceil(ROWS / CLAIM_LIMIT) + PEERS);
        for (const [id, [workerId]] of claims) expect((await rawOrFail(harness, id)).lockedBy).toBe(workerId);
        expect(await harness.store.listDue()).toEqual([]);
      },
      SLOW_TEST_MS,
    );

    it('concurrent claimById on one row: exactly one worker gets it', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const peers = await openPeers(context);
      const results = await Promise.all(
        peers.map((peer, index) => peer.claimById(event.id, { workerId: `w${index}`, leaseMs: HOUR })),
      );
      const winners = results.filter((result) => result !== undefined);
      expect(winners).toHaveLength(1);
      expect((await rawOrFail(harness, event.id)).lockedBy).toBe(winners[0]!.lockedBy);
    });

    it('the same outcome reported concurrently applies exactly once and appends one attempt', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const claimed = await claimOrFail(harness.store, event.id, 'w');
      const peers = await openPeers(context);
      const results = await Promise.all(
        peers.map((peer) => peer.recordOutcome(outcomeFor(claimed, 'w', { kind: 'delivered' }))),
      );
      expect(results.filter((result) => result.applied)).toHaveLength(1);
      expect(await harness.raw.countAttempts(event.id)).toBe(1);
      expect(await rawOrFail(harness, event.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    });

    it('concurrent inserts with one idempotency key create exactly one row', async () => {
      const harness = context.harness();
      const peers = await openPeers(context);
      const results = await Promise.all(
        peers.map((peer, index) => peer.insert(newEvent({ idempotencyKey: 'same-key', payload: { index } }))),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.event.id)).size).toBe(1);
      expect(await harness.raw.countEvents()).toBe(1);
    });

    it('concurrent batch inserts from every peer keep every row with a unique id', async () => {
      const harness = context.harness();
      const peers = await openPeers(context);
      const batches = await Promise.all(peers.map((peer) => peer.insertMany(newEvents(25))));
      const ids = batches.flat().map((result) => result.event.id);
      expect(new Set(ids).size).toBe(PEERS * 25);
      expect(await harness.raw.countEvents()).toBe(PEERS * 25);
    });
  });
}
