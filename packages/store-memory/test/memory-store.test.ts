import { ConfigurationError, HooksError, InvalidInputError } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, inspectMemoryStore } from '../src/index.js';

const T0 = new Date('2026-03-01T12:00:00.000Z');

function fixedClock(start: Date): { clock: () => Date; advance(ms: number): void } {
  let now = start.getTime();
  return { clock: () => new Date(now), advance: (ms) => (now += ms) };
}

describe('createMemoryStore', () => {
  it('has kind "memory" and uses the given clock for insert times', async () => {
    const time = fixedClock(T0);
    const store = createMemoryStore({ clock: time.clock });
    expect(store.kind).toBe('memory');
    const { event } = await store.insert({ eventType: 'order.paid', payload: { n: 1 } });
    expect(event.insertedAt).toEqual(T0);
    expect(event.updatedAt).toEqual(T0);
  });

  it('refuses bad options with a ConfigurationError', () => {
    expect(() => createMemoryStore({ maxPayloadBytes: 0 })).toThrow(ConfigurationError);
    expect(() => createMemoryStore({ clock: 'now' as unknown as () => Date })).toThrow(ConfigurationError);
  });

  it('enforces its own maxPayloadBytes', async () => {
    const store = createMemoryStore({ maxPayloadBytes: 16 });
    await expect(store.insert({ eventType: 'a', payload: 'x'.repeat(20) })).rejects.toMatchObject({
      code: InvalidInputError.errorCode,
      details: { field: 'payload' },
    });
    await store.insert({ eventType: 'a', payload: 'short' });
    expect(inspectMemoryStore(store).events).toHaveLength(1);
  });
});

describe('returned rows are copies', () => {
  it('mutating a returned row, payload, date or attempt never changes the store', async () => {
    const time = fixedClock(T0);
    const store = createMemoryStore({ clock: time.clock });
    const { event } = await store.insert({ eventType: 'a', payload: { nested: { n: 1 } } });
    const mutable = event as unknown as { status: string; payload: { nested: { n: number } } };
    mutable.status = 'delivered';
    mutable.payload.nested.n = 99;
    event.insertedAt.setTime(0);
    const [claimed] = await store.claimDue({ workerId: 'w', limit: 1, leaseMs: 1000 });
    claimed!.lockedUntil!.setTime(0);
    await store.recordOutcome({
      eventId: event.id,
      workerId: 'w',
      attemptNumber: 1,
      attempt: { startedAt: T0, finishedAt: T0, requestHeaders: { a: 'b' } },
      result: { kind: 'delivered' },
    });
    const [attempt] = await store.listAttempts(event.id);
    (attempt!.requestHeaders as Record<string, string>).a = 'changed';
    const again = await store.get(event.id);
    expect(again?.status).toBe('delivered');
    expect(again?.payload).toEqual({ nested: { n: 1 } });
    expect(again?.insertedAt).toEqual(T0);
    expect((await store.listAttempts(event.id))[0]?.requestHeaders).toEqual({ a: 'b' });
    const snapshot = inspectMemoryStore(store);
    (snapshot.events[0] as unknown as { status: string }).status = 'failed';
    expect(inspectMemoryStore(store).events[0]?.status).toBe('delivered');
  });

  it('a caller mutating the Date it passed in does not move the stored time', async () => {
    const store = createMemoryStore({ clock: fixedClock(T0).clock });
    const nextRetryAt = new Date(T0.getTime() + 60_000);
    const { event } = await store.insert({ eventType: 'a', payload: 1, nextRetryAt });
    nextRetryAt.setTime(0);
    expect((await store.get(event.id))?.nextRetryAt).toEqual(new Date(T0.getTime() + 60_000));
  });
});

describe('inspectMemoryStore', () => {
  it('refuses a store it did not make', () => {
    const other = { ...createMemoryStore() };
    expect(() => inspectMemoryStore(other)).toThrow(InvalidInputError);
  });

  it('still reads after close, while the store itself rejects', async () => {
    const store = createMemoryStore();
    await store.insert({ eventType: 'a', payload: 1 });
    await store.close();
    expect(inspectMemoryStore(store).events).toHaveLength(1);
    const error = await store.get('evt_x').catch((caught: unknown) => caught);
    expect(HooksError.isInstance(error) && error.code).toBe('HOOKS_ERR_CLOSED');
  });
});
