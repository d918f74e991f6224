import { ConflictError, timeOfEventId } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import {
  expectHooksError,
  expectInvalidInput,
  expectSameRow,
  HOUR,
  newEvent,
  newEvents,
  rawOrFail,
  shift,
  TARGET_URL,
} from '../fixtures.js';
import type { SuiteContext } from '../harness.js';

/** Registers the tests of `insert`, `insertMany`, ids, idempotency keys and `get`. */
export function insertAndGetSuite(context: SuiteContext): void {
  describe('insert and get', () => {
    it('insert writes a pending row with defaults and returns it with created=true', async () => {
      const harness = context.harness();
      const before = new Date();
      const result = await harness.store.insert(newEvent({ eventType: 'order.paid', payload: { total: 5 } }));
      const after = new Date();
      expect(result.created).toBe(true);
      const raw = await rawOrFail(harness, result.event.id);
      expect(raw).toMatchObject({
        eventType: 'order.paid',
        payload: { total: 5 },
        targetUrl: TARGET_URL,
        status: 'pending',
        attempts: 0,
        maxAttempts: 8,
        nextRetryAt: null,
        lastAttemptAt: null,
        lastError: null,
        responseStatus: null,
        responseBody: null,
        deliveredAt: null,
        replayCount: 0,
        lockedBy: null,
        lockedUntil: null,
        idempotencyKey: null,
      });
      expect(raw.insertedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(raw.insertedAt.getTime()).toBeLessThanOrEqual(after.getTime());
      expect(raw.updatedAt.getTime()).toBeGreaterThanOrEqual(raw.insertedAt.getTime());
      expectSameRow(result.event, raw);
      expect(await harness.raw.countEvents()).toBe(1);
      expect(await harness.raw.countAttempts()).toBe(0);
    });

    it('insert keeps explicit id, maxAttempts, nextRetryAt, idempotencyKey and a null targetUrl', async () => {
      const harness = context.harness();
      const nextRetryAt = shift(new Date(), HOUR);
      const { event } = await harness.store.insert(
        newEvent({
          id: 'custom_ID-1',
          maxAttempts: 3,
          nextRetryAt,
          idempotencyKey: 'key-1',
          targetUrl: null,
        }),
      );
      expect(event.id).toBe('custom_ID-1');
      const raw = await rawOrFail(harness, 'custom_ID-1');
      expect(raw).toMatchObject({ maxAttempts: 3, nextRetryAt, idempotencyKey: 'key-1', targetUrl: null });
      expectSameRow(event, raw);
    });

    it('insert with skip writes a skipped row with the reason in lastError', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(
        newEvent({ targetUrl: null, skip: { reason: 'no target' } }),
      );
      const raw = await rawOrFail(harness, event.id);
      expect(raw).toMatchObject({ status: 'skipped', lastError: 'no target', attempts: 0, lockedBy: null });
      expect(await harness.store.listDue({ now: shift(new Date(), HOUR) })).toEqual([]);
    });

    it('insert with lease leases the new row to that worker', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(
        newEvent({ lease: { workerId: 'inserter', leaseMs: 30_000 } }),
      );
      const raw = await rawOrFail(harness, event.id);
      expect(raw.lockedBy).toBe('inserter');
      expect(raw.lockedUntil?.getTime()).toBe(raw.insertedAt.getTime() + 30_000);
      expectSameRow(event, raw);
    });

    it('insertMany writes the whole batch and returns the rows in input order', async () => {
      const harness = context.harness();
      const results = await harness.store.insertMany(
        newEvents(5, (index) => ({ eventType: `type.${index}` })),
      );
      expect(results.map((result) => result.event.eventType)).toEqual([
        'type.0',
        'type.1',
        'type.2',
        'type.3',
        'type.4',
      ]);
      expect(results.every((result) => result.created)).toBe(true);
      expect(await harness.raw.countEvents()).toBe(5);
      for (const result of results) expectSameRow(result.event, await harness.raw.event(result.event.id));
    });

    it('insertMany([]) writes nothing and returns []', async () => {
      const harness = context.harness();
      expect(await harness.store.insertMany([])).toEqual([]);
      expect(await harness.raw.countEvents()).toBe(0);
    });

    it('insertMany is all-or-nothing: one bad item refuses the batch and writes nothing', async () => {
      const harness = context.harness();
      await harness.store.insert(newEvent());
      const batch = [newEvent(), newEvent({ payload: () => 1 }), newEvent()];
      await expectInvalidInput(() => harness.store.insertMany(batch), 'events[1].payload');
      await expectInvalidInput(
        () => harness.store.insertMany([newEvent(), newEvent({ eventType: '' })]),
        'events[1].eventType',
      );
      expect(await harness.raw.countEvents()).toBe(1);
    });

    it('generated ids are unique and sort in insertion (time) order', async () => {
      const harness = context.harness();
      const before = Date.now();
      const ids: string[] = [];
      for (let index = 0; index < 20; index++) ids.push((await harness.store.insert(newEvent())).event.id);
      for (const result of await harness.store.insertMany(newEvents(30))) ids.push(result.event.id);
      const after = Date.now();
      expect(new Set(ids).size).toBe(50);
      expect([...ids].sort()).toEqual(ids);
      for (const id of ids) {
        const time = timeOfEventId(id);
        expect(time, `time of ${id}`).toBeDefined();
        expect(time!).toBeGreaterThanOrEqual(before - 1000);
        expect(time!).toBeLessThanOrEqual(after + 1000);
      }
      expect(await harness.raw.countEvents()).toBe(50);
    });

    it('an idempotency key returns the first row with created=false and writes no second row', async () => {
      const harness = context.harness();
      const first = await harness.store.insert(newEvent({ idempotencyKey: 'order-7', payload: { v: 1 } }));
      const again = await harness.store.insert(newEvent({ idempotencyKey: 'order-7', payload: { v: 2 } }));
      expect(again.created).toBe(false);
      expect(again.event.id).toBe(first.event.id);
      expect(again.event.payload).toEqual({ v: 1 });
      const batch = await harness.store.insertMany([
        newEvent({ idempotencyKey: 'order-7' }),
        newEvent({ idempotencyKey: 'order-8' }),
        newEvent({ idempotencyKey: 'order-8' }),
      ]);
      expect(batch.map((result) => result.created)).toEqual([false, true, false]);
      expect(batch[0]!.event.id).toBe(first.event.id);
      expect(batch[2]!.event.id).toBe(batch[1]!.event.id);
      expect(await harness.raw.countEvents()).toBe(2);
      expect((await rawOrFail(harness, first.event.id)).payload).toEqual({ v: 1 });
    });

    it('an explicit id that already exists is refused with a ConflictError and nothing changes', async () => {
      const harness = context.harness();
      await harness.store.insert(newEvent({ id: 'dup_1', payload: { v: 1 } }));
      const error = await expectHooksError(() =>
        harness.store.insert(newEvent({ id: 'dup_1', payload: { v: 2 } })),
      );
      expect(ConflictError.isInstance(error)).toBe(true);
      await expectHooksError(() =>
        harness.store.insertMany([newEvent({ id: 'fresh_1' }), newEvent({ id: 'dup_1' })]),
      );
      expect(await harness.raw.countEvents()).toBe(1);
      expect((await rawOrFail(harness, 'dup_1')).payload).toEqual({ v: 1 });
    });

    it('get returns the stored row, and undefined for an unknown id', async () => {
      const harness = context.harness();
      const { event } = await harness.store.insert(newEvent());
      const got = await harness.store.get(event.id);
      expect(got).toEqual(event);
      expectSameRow(got!, await harness.raw.event(event.id));
      expect(await harness.store.get('evt_unknown')).toBeUndefined();
    });

    it('payloads round-trip exactly (nesting, unicode, numbers, null, booleans)', async () => {
      const harness = context.harness();
      const payload = {
        text: 'héllo wörld ✓ 🚀 "quoted" \\ back\nslash',
        numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER],
        nested: { deep: { deeper: [true, false, null, { empty: {} }] } },
        empty: [],
      };
      const { event } = await harness.store.insert(newEvent({ payload }));
      expect(event.payload).toEqual(payload);
      expect((await rawOrFail(harness, event.id)).payload).toEqual(payload);
      expect((await harness.store.get(event.id))?.payload).toEqual(payload);
      for (const scalar of ['just a string', 42, null, true]) {
        const inserted = await harness.store.insert(newEvent({ payload: scalar }));
        expect((await rawOrFail(harness, inserted.event.id)).payload).toEqual(scalar);
      }
    });

    it('a peer over the same data sees what the store wrote', async () => {
      const harness = context.harness();
      const peer = await harness.openPeer();
      const { event } = await harness.store.insert(newEvent());
      expect(await peer.get(event.id)).toEqual(event);
      const fromPeer = await peer.insert(newEvent());
      expect((await harness.store.get(fromPeer.event.id))?.id).toBe(fromPeer.event.id);
      expect(await harness.raw.countEvents()).toBe(2);
    });
  });
}
