import { ConflictError, type JsonValue, type PreparedEvent } from '@hooks/core';
import { type MemoryRow, type MemoryState, rowFromPrepared } from './memory-rows.js';

/** One planned insert: the row written (`created`) or the existing row its idempotency key returns. */
export interface InsertedRow {
  /** The row. */
  row: MemoryRow;
  /** False when the idempotency key returned an earlier row. */
  created: boolean;
  /** A new row's payload as `prepareNewEvent` parsed it (a fresh copy, unused elsewhere); undefined for an earlier row. */
  payload?: JsonValue;
}

/**
 * Inserts checked events: plans every one first (idempotency keys, id conflicts, within the batch too) and
 * throws `ConflictError` before writing anything, then writes the new rows and files them in the due index.
 */
export function insertRows(state: MemoryState, prepared: readonly PreparedEvent[]): InsertedRow[] {
  const { rows, keys } = state;
  const planned = new Map<string, MemoryRow>();
  let plannedKeys: Map<string, MemoryRow> | undefined;
  const plan: InsertedRow[] = [];
  for (const event of prepared) {
    const key = event.idempotencyKey;
    const existing = key === null ? undefined : (plannedKeys?.get(key) ?? rows.get(keys.get(key) ?? ''));
    if (existing !== undefined) {
      plan.push({ row: existing, created: false });
      continue;
    }
    if (rows.has(event.id) || planned.has(event.id)) {
      throw new ConflictError(`an event with id ${event.id} already exists`, {
        details: { field: 'id', id: event.id },
      });
    }
    const row = rowFromPrepared(event);
    planned.set(row.id, row);
    if (key !== null) {
      plannedKeys ??= new Map();
      plannedKeys.set(key, row);
    }
    plan.push({ row, created: true, payload: event.payload });
  }
  for (const row of planned.values()) {
    rows.set(row.id, row);
    if (row.idempotencyKey !== null) keys.set(row.idempotencyKey, row.id);
    state.due.file(row);
  }
  return plan;
}

/** Leases `row` to `workerId` until `now + leaseMs`. */
export function leaseRow(
  state: MemoryState,
  row: MemoryRow,
  workerId: string,
  leaseMs: number,
  now: Date,
): void {
  row.lockedBy = workerId;
  row.lockedUntil = new Date(now.getTime() + leaseMs);
  row.updatedAt = now;
  state.due.file(row);
}

/** Gives the lease on `row` back: due again at its due time. */
export function releaseRow(state: MemoryState, row: MemoryRow, now: Date): void {
  row.lockedBy = null;
  row.lockedUntil = null;
  row.updatedAt = now;
  state.due.file(row);
}

/** Resets a terminal row to pending for a replay (attempts restart, `replayCount + 1`). */
export function resetForReplay(state: MemoryState, row: MemoryRow, now: Date): void {
  row.status = 'pending';
  row.attempts = 0;
  row.nextRetryAt = null;
  row.deliveredAt = null;
  row.lockedBy = null;
  row.lockedUntil = null;
  row.replayCount += 1;
  row.updatedAt = now;
  state.due.file(row);
}

/** Deletes a row (prune, a rolled-back transaction), its idempotency key and its due-index entry. */
export function deleteRow(state: MemoryState, id: string): void {
  const key = state.rows.get(id)?.idempotencyKey;
  if (key !== null && key !== undefined) state.keys.delete(key);
  state.rows.delete(id);
  state.due.remove(id);
}
