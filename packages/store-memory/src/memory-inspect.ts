import {
  type DeliveryAttempt,
  type EndpointHealth,
  InvalidInputError,
  type WebhookEvent,
  type WebhookStore,
} from '@hooks/core';
import type { MemoryEndpoints } from './memory-endpoints.js';
import { type MemoryState, toAttempt, toEvent } from './memory-rows.js';
import { compareIds } from './memory-selection.js';

const states = new WeakMap<object, MemoryState>();
const endpointStates = new WeakMap<object, MemoryEndpoints>();

/** Links a store made by `createMemoryStore` to its state, so `inspectMemoryStore` can read it. */
export function registerMemoryState(store: object, state: MemoryState, endpoints?: MemoryEndpoints): void {
  states.set(store, state);
  if (endpoints !== undefined) endpointStates.set(store, endpoints);
}

/** A copy of everything a memory store holds. */
export interface MemoryStoreSnapshot {
  /** Every event row (lease fields included), ordered by id. */
  events: WebhookEvent[];
  /** Every attempt record, oldest first. */
  attempts: DeliveryAttempt[];
  /** Every endpoint health entry, ordered by URL. */
  endpoints: EndpointHealth[];
}

/**
 * Reads a memory store's rows and attempt records directly, bypassing its methods (for debugging and
 * tests). Returns copies; works after `close()` too.
 *
 * @example
 * const store = createMemoryStore();
 * await store.insert({ eventType: 'order.paid', payload: {} });
 * console.log(inspectMemoryStore(store).events.length); // 1
 */
export function inspectMemoryStore(store: WebhookStore): MemoryStoreSnapshot {
  const state = states.get(store);
  if (state === undefined) {
    throw new InvalidInputError('store must be a store made by createMemoryStore', {
      details: { field: 'store' },
    });
  }
  return {
    events: [...state.rows.values()].sort((a, b) => compareIds(a.id, b.id)).map((row) => toEvent(row)),
    attempts: state.attempts.map(toAttempt),
    endpoints: endpointStates.get(store)?.snapshot() ?? [],
  };
}
