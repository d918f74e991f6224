import type { WebhookStore } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { idsOf, newEvent, newEvents, pause, rawOrFail, settle } from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

async function insertIds(store: WebhookStore, count: number): Promise<string[]> {
  return (await store.insertMany(newEvents(count))).map((result) => result.event.id);
}

async function collectPages(
  store: WebhookStore,
  order: 'asc' | 'desc',
  limit: number,
  betweenPages: () => Promise<void>,
): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const result = await store.list({ order, limit, cursor });
    expect(result.items.length).toBeLessThanOrEqual(limit);
    seen.push(...idsOf(result.items));
    if (result.nextCursor === null) return seen;
    cursor = result.nextCursor;
    await betweenPages();
  }
  throw new Error('pagination did not end');
}

/** Registers the tests of `list` (filters, order, cursor pagination) and `countByStatus`. */
export function listAndCountSuite(context: SuiteContext): void {
  describe('list and countByStatus', () => {
    it('list orders by id: newest first by default, oldest first with order asc', async () => {
      const harness = context.harness();
      const ids = await insertIds(harness.store, 5);
      const sorted = [...ids].sort();
      expect(idsOf((await harness.store.list()).items)).toEqual([...sorted].reverse());
      expect(idsOf((await harness.store.list({ order: 'asc' })).items)).toEqual(sorted);
      expect((await harness.store.list()).nextCursor).toBeNull();
    });

    it('list filters by one status or several', async () => {
      const harness = context.harness();
      const [a, b, c, d] = await insertIds(harness.store, 4);
      await settle(harness.store, a!, { kind: 'delivered' });
      await settle(harness.store, b!, { kind: 'failed' });
      await settle(harness.store, c!, { kind: 'skipped', reason: 'gone' });
      expect((await rawOrFail(harness, d!)).status).toBe('pending');
      expect(idsOf((await harness.store.list({ status: 'delivered' })).items)).toEqual([a]);
      expect(idsOf((await harness.store.list({ status: 'pending' })).items)).toEqual([d]);
      const several = await harness.store.list({ status: ['failed', 'skipped'], order: 'asc' });
      expect(idsOf(several.items)).toEqual([b, c]);
    });

    it('list filters by one event type or several', async () => {
      const harness = context.harness();
      const results = await harness.store.insertMany([
        newEvent({ eventType: 'alpha' }),
        newEvent({ eventType: 'beta' }),
        newEvent({ eventType: 'gamma' }),
        newEvent({ eventType: 'alpha' }),
      ]);
      const ids = results.map((result) => result.event.id);
      expect(idsOf((await harness.store.list({ eventType: 'alpha', order: 'asc' })).items)).toEqual([
        ids[0],
        ids[3],
      ]);
      const several = await harness.store.list({ eventType: ['beta', 'gamma'], order: 'asc' });
      expect(idsOf(several.items)).toEqual([ids[1], ids[2]]);
      expect((await harness.store.list({ eventType: 'nothing' })).items).toEqual([]);
    });

    it('list filters by insertedAt: since is inclusive, until exclusive', async () => {
      const harness = context.harness();
      const first = (await harness.store.insert(newEvent())).event;
      await pause(5);
      const second = (await harness.store.insert(newEvent())).event;
      await pause(5);
      const third = (await harness.store.insert(newEvent())).event;
      const middle = (await rawOrFail(harness, second.id)).insertedAt;
      expect(middle.getTime()).toBeGreaterThan((await rawOrFail(harness, first.id)).insertedAt.getTime());
      expect((await rawOrFail(harness, third.id)).insertedAt.getTime()).toBeGreaterThan(middle.getTime());
      const since = await harness.store.list({ since: middle, order: 'asc' });
      expect(idsOf(since.items)).toEqual([second.id, third.id]);
      const until = await harness.store.list({ until: middle, order: 'asc' });
      expect(idsOf(until.items)).toEqual([first.id]);
      const both = await harness.store.list({ since: middle, until: third.insertedAt });
      expect(idsOf(both.items)).toEqual([second.id]);
    });

    it('filters combine with cursor pagination', async () => {
      const harness = context.harness();
      const results = await harness.store.insertMany(
        newEvents(12, (index) => ({ eventType: index % 2 === 0 ? 'even' : 'odd' })),
      );
      const evens = results.filter((result) => result.event.eventType === 'even').map((r) => r.event.id);
      const first = await harness.store.list({ eventType: 'even', order: 'asc', limit: 4 });
      expect(idsOf(first.items)).toEqual(evens.slice(0, 4));
      expect(first.nextCursor).not.toBeNull();
      const second = await harness.store.list({
        eventType: 'even',
        order: 'asc',
        limit: 4,
        cursor: first.nextCursor,
      });
      expect(idsOf(second.items)).toEqual(evens.slice(4));
      expect(second.nextCursor).toBeNull();
    });

    it('cursor pagination in asc order is stable when rows are inserted between pages', async () => {
      const harness = context.harness();
      const original = await insertIds(harness.store, 10);
      const added: string[] = [];
      const seen = await collectPages(harness.store, 'asc', 3, async () => {
        added.push(...(await insertIds(harness.store, 2)));
      });
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(seen);
      expect(seen.slice(0, 10)).toEqual([...original].sort());
      expect(seen.slice(10)).toEqual(added.slice(0, seen.length - 10));
    });

    it('cursor pagination in desc order is stable when rows are inserted between pages', async () => {
      const harness = context.harness();
      const original = await insertIds(harness.store, 10);
      const seen = await collectPages(harness.store, 'desc', 3, async () => {
        await insertIds(harness.store, 2);
      });
      expect(seen).toEqual([...original].sort().reverse());
      expect(await harness.raw.countEvents()).toBe(16);
    });

    it('list pages 50 rows by default and ends with a null nextCursor', async () => {
      const harness = context.harness();
      const ids = await insertIds(harness.store, 55);
      const first = await harness.store.list();
      expect(first.items).toHaveLength(50);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await harness.store.list({ cursor: first.nextCursor });
      expect(second.items).toHaveLength(5);
      expect(second.nextCursor).toBeNull();
      expect([...idsOf(first.items), ...idsOf(second.items)]).toEqual([...ids].sort().reverse());
      const exact = await harness.store.list({ limit: 55 });
      expect(exact.items).toHaveLength(55);
      expect(exact.nextCursor).toBeNull();
    });

    it('countByStatus counts rows of every status, zeros included', async () => {
      const harness = context.harness();
      expect(await harness.store.countByStatus()).toEqual({
        pending: 0,
        delivered: 0,
        failed: 0,
        skipped: 0,
      });
      const ids = await insertIds(harness.store, 6);
      await harness.store.insert(newEvent({ skip: { reason: 'no target' } }));
      await settle(harness.store, ids[0]!, { kind: 'delivered' });
      await settle(harness.store, ids[1]!, { kind: 'delivered' });
      await settle(harness.store, ids[2]!, { kind: 'failed' });
      expect(await harness.store.countByStatus()).toEqual({
        pending: 3,
        delivered: 2,
        failed: 1,
        skipped: 1,
      });
      expect(await harness.raw.countEvents()).toBe(7);
    });
  });
}
