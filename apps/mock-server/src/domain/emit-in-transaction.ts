import { HooksError, type WebhookEvent } from '@hooks/core';
import type { Dispatcher } from '@hooks/engine';
import type { Kysely } from 'kysely';
import { ApiError } from '../api-error.js';
import type { MockDatabase } from './mock-schema.js';

/** An event to emit: `[eventType, payload]`, as `@hooks/payloads` builders return it. */
export type EmittedEvent = readonly [eventType: string, payload: unknown];

/** What a domain change returns: its result and the events it emits, in order. */
export interface DomainChange<T> {
  /** The change's result (e.g. the updated row). */
  value: T;
  /** Events to record in the same transaction (none when nothing really changed). */
  events: readonly EmittedEvent[];
}

/** Where emitted events go: the engine's dispatcher, whose `transaction` is the outbox. */
export type Outbox = Pick<Dispatcher, 'transaction'>;

/** The result of `emitInTransaction`: the change's value and the event rows it recorded. */
export interface EmitResult<T> {
  /** The change's result. */
  value: T;
  /** The recorded event rows, in emission order. */
  events: WebhookEvent[];
}

function notRecorded(error: unknown): ApiError {
  const reason = HooksError.isInstance(error) ? error.message : 'the store refused it';
  return new ApiError(
    500,
    'event_not_recorded',
    `the change was rolled back: its webhook event could not be recorded (${reason})`,
    {
      cause: error,
    },
  );
}

/**
 * The one place a domain change and its webhook events are written: `change` runs inside the dispatcher's
 * `transaction` (the store's), with a Kysely bound to that transaction, and the events it returns are
 * enqueued in the same transaction, so a change is never kept without its events nor an event without its
 * change. The engine delivers them after the commit (inline in sync mode).
 *
 * @example
 * const { value } = await emitInTransaction(outbox, async (db) => {
 *   const row = await updateCampaignStatus(db, id, 'active', now);
 *   return { value: row, events: [catalog.campaignStatusChange(toCampaignInput(row), 'pending')] };
 * });
 */
export async function emitInTransaction<T>(
  outbox: Outbox,
  change: (db: Kysely<MockDatabase>) => Promise<DomainChange<T>>,
): Promise<EmitResult<T>> {
  return outbox.transaction(async (tx) => {
    const { value, events } = await change(tx.db as Kysely<MockDatabase>);
    if (events.length === 0) return { value, events: [] };
    try {
      const rows = await tx.enqueueMany(events.map(([eventType, payload]) => ({ eventType, payload })));
      return { value, events: rows };
    } catch (error) {
      throw notRecorded(error);
    }
  });
}
