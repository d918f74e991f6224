import {
  type AttemptOutcome,
  type AttemptReport,
  HooksError,
  InvalidInputError,
  type NewWebhookEvent,
  type OutcomeResult,
  type WebhookEvent,
  type WebhookStore,
} from '@hooks/core';
import { expect } from 'vitest';
import type { RawEventRow, StoreHarness } from './harness.js';

/** One minute in milliseconds. */
export const MINUTE = 60_000;
/** One hour in milliseconds. */
export const HOUR = 60 * MINUTE;
/** The receiver URL test events point at (nothing is ever sent there). */
export const TARGET_URL = 'https://receiver.example.test/hooks';
/** How long a test waits for a subscription listener before failing. */
export const LISTENER_WAIT_MS = 5_000;

/** A valid new event, with overrides. */
export function newEvent(overrides: Partial<NewWebhookEvent> = {}): NewWebhookEvent {
  return { eventType: 'test.event', payload: { n: 1 }, targetUrl: TARGET_URL, ...overrides };
}

/** `count` valid new events; `make(index)` adds per-event fields. */
export function newEvents(count: number, make: (index: number) => Partial<NewWebhookEvent> = () => ({})) {
  return Array.from({ length: count }, (_, index) => newEvent({ payload: { index }, ...make(index) }));
}

/** `base` moved by `ms` milliseconds. */
export function shift(base: Date, ms: number): Date {
  return new Date(base.getTime() + ms);
}

/** An attempt report that started at `startedAt` and took 25 ms, with overrides. */
export function attemptReport(startedAt: Date, overrides: Partial<AttemptReport> = {}): AttemptReport {
  return {
    startedAt,
    finishedAt: shift(startedAt, 25),
    responseStatus: 200,
    responseBody: 'ok',
    ...overrides,
  };
}

/** An outcome for the row's next attempt (`attempts + 1`) reported by `workerId`. */
export function outcomeFor(
  event: Pick<WebhookEvent, 'id' | 'attempts'>,
  workerId: string,
  result: OutcomeResult,
  report: Partial<AttemptReport> = {},
): AttemptOutcome {
  return {
    eventId: event.id,
    workerId,
    attemptNumber: event.attempts + 1,
    attempt: attemptReport(report.startedAt ?? new Date(), report),
    result,
  };
}

/** Leases one row by id or fails the test. */
export async function claimOrFail(
  store: WebhookStore,
  id: string,
  workerId: string,
  leaseMs = MINUTE,
  now?: Date,
): Promise<WebhookEvent> {
  const claimed = await store.claimById(
    id,
    now === undefined ? { workerId, leaseMs } : { workerId, leaseMs, now },
  );
  if (claimed === undefined) throw new Error(`expected claimById(${id}) by ${workerId} to lease the row`);
  return claimed;
}

/** Claims a row and records one outcome so it ends `delivered`, `failed` or `skipped` (or pending, for retry). */
export async function settle(
  store: WebhookStore,
  id: string,
  result: OutcomeResult,
  report: Partial<AttemptReport> = {},
): Promise<WebhookEvent> {
  const claimed = await claimOrFail(store, id, 'settler');
  const recorded = await store.recordOutcome(outcomeFor(claimed, 'settler', result, report));
  if (!recorded.applied || recorded.event === undefined)
    throw new Error(`expected the outcome of ${id} to apply`);
  return recorded.event;
}

/** Inserts events and settles them all with the same result; returns the settled rows in order. */
export async function insertSettled(
  store: WebhookStore,
  events: readonly NewWebhookEvent[],
  result: OutcomeResult,
): Promise<WebhookEvent[]> {
  const inserted = await store.insertMany(events);
  const settled: WebhookEvent[] = [];
  for (const { event } of inserted) settled.push(await settle(store, event.id, result));
  return settled;
}

/** The raw row with this id, or fails the test. */
export async function rawOrFail(harness: StoreHarness, id: string): Promise<RawEventRow> {
  const row = await harness.raw.event(id);
  if (row === undefined) throw new Error(`expected a stored row with id ${id}`);
  return row;
}

/** Calls `action`, which must return a promise that rejects; returns the rejection. */
export async function rejectionOf(action: () => Promise<unknown>): Promise<unknown> {
  let pending: Promise<unknown>;
  try {
    pending = action();
  } catch (error) {
    throw new Error(`expected a rejected promise, but the call threw synchronously: ${String(error)}`);
  }
  expect(typeof pending?.then, 'a store method must return a promise').toBe('function');
  try {
    await pending;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}

/** Asserts that `action` rejects with an `InvalidInputError` whose `details.field` and message name `field`. */
export async function expectInvalidInput(
  action: () => Promise<unknown>,
  field: string,
): Promise<InvalidInputError> {
  const error = await rejectionOf(action);
  expect(InvalidInputError.isInstance(error), `expected an InvalidInputError, got ${String(error)}`).toBe(
    true,
  );
  const invalid = error as InvalidInputError;
  expect(invalid.code).toBe('HOOKS_ERR_INVALID_INPUT');
  expect(invalid.details?.field).toBe(field);
  expect(invalid.message).toContain(field);
  return invalid;
}

/** Asserts that `action` rejects with a `HooksError` (optionally with this code). */
export async function expectHooksError(action: () => Promise<unknown>, code?: string): Promise<HooksError> {
  const error = await rejectionOf(action);
  expect(HooksError.isInstance(error), `expected a HooksError, got ${String(error)}`).toBe(true);
  if (code !== undefined) expect((error as HooksError).code).toBe(code);
  return error as HooksError;
}

/** Resolves after `ms` milliseconds (used only to make two insert times differ, never to measure speed). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with `promise`, or rejects with `what` if it has not settled within `ms` (a bounded wait). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Subscribes to `store`; `next(n)` resolves once the listener has been called `n` times in total. */
export function countNotifications(store: WebhookStore): {
  count(): number;
  next(total: number): Promise<void>;
  /** Resolves once the store's cross-process notifications are live (`whenListening`, when it has one) and the wake-up it sends then was counted. */
  ready(): Promise<void>;
  unsubscribe(): void;
} {
  let calls = 0;
  const waiters: { total: number; resolve: () => void }[] = [];
  const unsubscribe = store.subscribe(() => {
    calls += 1;
    for (const waiter of waiters.filter((item) => item.total <= calls)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    count: () => calls,
    next: (total) =>
      within(
        total <= calls ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ total, resolve })),
        LISTENER_WAIT_MS,
        `waiting for listener call #${total}`,
      ),
    ready: async () => {
      const listening = (store as { whenListening?: () => Promise<void> }).whenListening;
      if (typeof listening === 'function') await listening.call(store);
      await new Promise((resolve) => setImmediate(resolve));
    },
    unsubscribe,
  };
}

/** Ids of rows, in order. */
export function idsOf(rows: readonly { id: string }[]): string[] {
  return rows.map((row) => row.id);
}

/** Asserts that a row returned by the store and the raw stored row agree on every field. */
export function expectSameRow(event: WebhookEvent, raw: RawEventRow | undefined): void {
  expect(raw, `raw row ${event.id}`).toBeDefined();
  expect({ ...event }).toEqual({ ...raw });
}
