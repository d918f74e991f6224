import type { NewWebhookEvent, ReplaySelector } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { expectInvalidInput, idsOf, insertSettled, newEvent, rawOrFail, settle } from '../fixtures.js';
import type { RawEventRow, StoreHarness, SuiteContext } from '../harness.js';

/** Three receivers; the first carries a credential in its query, as real target URLs may. */
const A = 'https://receiver-a.example.test/hooks?token=s3cret';
const B = 'https://receiver-b.example.test/hooks';
const C = 'http://receiver-c.example.test:8080/in';

async function rawRows(harness: StoreHarness, ids: readonly string[]): Promise<RawEventRow[]> {
  return Promise.all(ids.map((id) => rawOrFail(harness, id)));
}

/** Inserts failed rows for the given targets, in order (null: an event recorded without a target). */
async function failedFor(
  harness: StoreHarness,
  targets: readonly (string | null)[],
  eventType = 'order.paid',
): Promise<string[]> {
  const events: NewWebhookEvent[] = targets.map((targetUrl, index) =>
    newEvent({ eventType, targetUrl, payload: { index } }),
  );
  return idsOf(await insertSettled(harness.store, events, { kind: 'failed' }));
}

/** Registers the tests of `replay` by `targetUrl`: exact matches, both forms, combined filters, bad values. */
export function replayByTargetSuite(context: SuiteContext): void {
  describe('replay by targetUrl', () => {
    it("selects only that endpoint's rows among several targets, as a string or a list", async () => {
      const harness = context.harness();
      const ids = await failedFor(harness, [A, B, C, A, null, B, A]);
      const [a1, b1, c1, a2, none, b2, a3] = ids;
      const one = await harness.store.replay({ targetUrl: A }, { limit: 10, dryRun: true });
      expect(idsOf(one.candidates)).toEqual([a1, a2, a3]);
      const two = await harness.store.replay({ targetUrl: [B, C] }, { limit: 10, dryRun: true });
      expect(idsOf(two.candidates)).toEqual([b1, c1, b2]);
      const listOfOne = await harness.store.replay({ targetUrl: [C] }, { limit: 10, dryRun: true });
      expect(idsOf(listOfOne.candidates)).toEqual([c1]);
      // An exact match on the stored text: no normalising of case, trailing slashes or query.
      for (const near of [
        'https://receiver-a.example.test/hooks',
        'https://receiver-a.example.test/hooks?token=s3cret/',
        'HTTPS://RECEIVER-A.EXAMPLE.TEST/hooks?token=s3cret',
        'https://receiver-b.example.test/hooks/',
        'https://unknown.example.test/hooks',
      ]) {
        const report = await harness.store.replay({ targetUrl: near }, { limit: 10, dryRun: true });
        expect(report.matched, near).toBe(0);
      }

      const report = await harness.store.replay({ targetUrl: A }, { limit: 10 });
      expect(report).toMatchObject({ dryRun: false, matched: 3, eligible: 3, replayed: 3, skippedForCap: 0 });
      const raws = await rawRows(harness, ids);
      expect(raws.map((raw) => [raw.targetUrl, raw.status, raw.replayCount])).toEqual([
        [A, 'pending', 1],
        [B, 'failed', 0],
        [C, 'failed', 0],
        [A, 'pending', 1],
        [null, 'failed', 0],
        [B, 'failed', 0],
        [A, 'pending', 1],
      ]);
      expect(idsOf(await harness.store.listDue()).sort()).toEqual([a1, a2, a3].sort());
      expect((await rawOrFail(harness, none!)).status).toBe('failed');
    });

    it('combines targetUrl with eventType, status, ids and the limit', async () => {
      const harness = context.harness();
      const [aX, bX] = await failedFor(harness, [A, B], 'x');
      const [aY] = await failedFor(harness, [A], 'y');
      const inserted = await harness.store.insertMany(
        [A, A, B].map((targetUrl) => newEvent({ eventType: 'x', targetUrl })),
      );
      const [aXDelivered, aXSkipped, bXDelivered] = idsOf(inserted.map((result) => result.event));
      await settle(harness.store, aXDelivered!, { kind: 'delivered' });
      await settle(harness.store, aXSkipped!, { kind: 'skipped', reason: 'endpoint disabled' });
      await settle(harness.store, bXDelivered!, { kind: 'delivered' });
      const dry = async (selector: ReplaySelector, limit = 10) =>
        idsOf((await harness.store.replay(selector, { limit, dryRun: true })).candidates);

      expect(await dry({ targetUrl: A, eventType: 'x' })).toEqual([aX]);
      expect(await dry({ targetUrl: A, eventType: ['x', 'y'] })).toEqual([aX, aY]);
      expect(await dry({ targetUrl: [A, B], eventType: 'x' })).toEqual([aX, bX]);
      expect(await dry({ targetUrl: A, status: ['delivered', 'skipped'] })).toEqual([aXDelivered, aXSkipped]);
      expect(await dry({ targetUrl: A, eventType: 'x', status: 'skipped' })).toEqual([aXSkipped]);
      expect(await dry({ targetUrl: B, status: ['failed', 'delivered'] })).toEqual([bX, bXDelivered]);
      expect(await dry({ targetUrl: B, ids: [aX!, bX!] })).toEqual([bX]);
      expect(await dry({ targetUrl: A, eventType: 'z' })).toEqual([]);
      expect(await dry({ targetUrl: A }, 1)).toEqual([aX]);

      const report = await harness.store.replay(
        { targetUrl: A, eventType: 'x', status: ['failed', 'skipped'] },
        { limit: 10 },
      );
      expect(idsOf(report.candidates)).toEqual([aX, aXSkipped]);
      expect(report.replayed).toBe(2);
      const raws = await rawRows(harness, [aX!, bX!, aY!, aXDelivered!, aXSkipped!, bXDelivered!]);
      expect(raws.map((raw) => [raw.status, raw.replayCount])).toEqual([
        ['pending', 1],
        ['failed', 0],
        ['failed', 0],
        ['delivered', 0],
        ['pending', 1],
        ['delivered', 0],
      ]);
    });

    it('a dry run by targetUrl reports the candidates the replay then takes, and writes nothing', async () => {
      const harness = context.harness();
      const ids = await failedFor(harness, [A, B, A, A]);
      const [a1, , a2, a3] = ids;
      // a2 reaches the cap of 1 first: both the dry run and the replay must report it as refused.
      await harness.store.replay({ ids: [a2!] }, { limit: 1 });
      await settle(harness.store, a2!, { kind: 'failed' });
      const before = await rawRows(harness, ids);
      const dry = await harness.store.replay({ targetUrl: [A] }, { limit: 10, maxReplays: 1, dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, matched: 3, eligible: 2, replayed: 0, skippedForCap: 1 });
      expect(idsOf(dry.candidates)).toEqual([a1, a2, a3]);
      expect(await rawRows(harness, ids)).toEqual(before);
      expect(await harness.store.listDue()).toEqual([]);

      const done = await harness.store.replay({ targetUrl: [A] }, { limit: 10, maxReplays: 1 });
      expect(done).toMatchObject({ dryRun: false, matched: 3, eligible: 2, replayed: 2, skippedForCap: 1 });
      expect(done.candidates).toEqual(dry.candidates);
      expect(idsOf(await harness.store.listDue()).sort()).toEqual([a1, a3].sort());
      expect(await rawOrFail(harness, a2!)).toEqual(before[2]);
      expect(await rawOrFail(harness, ids[1]!)).toEqual(before[1]);
    });

    it('refuses a bad targetUrl with an InvalidInputError naming it, changing nothing', async () => {
      const harness = context.harness();
      const ids = await failedFor(harness, [A, B]);
      const before = await rawRows(harness, ids);
      const bad: unknown[] = [
        [],
        '',
        '   ',
        'not a url',
        '/hooks',
        'receiver-a.example.test/hooks',
        'ftp://files.example.test/x',
        'javascript:alert(1)',
        42,
        null,
        { url: A },
        [A, 'mailto:ops@example.test'],
        [A, 7],
      ];
      for (const targetUrl of bad) {
        for (const dryRun of [false, true]) {
          const error = await expectInvalidInput(
            () => harness.store.replay({ targetUrl: targetUrl as string }, { limit: 10, dryRun }),
            'targetUrl',
          );
          expect(error.message, JSON.stringify(targetUrl)).toMatch(/^targetUrl(\[\d+\])? must /);
          // A target URL may hold a credential: it is never echoed.
          expect(error.message).not.toContain('s3cret');
        }
      }
      expect(await rawRows(harness, ids)).toEqual(before);
      expect(await harness.store.countByStatus()).toMatchObject({ failed: 2, pending: 0 });
    });
  });
}
