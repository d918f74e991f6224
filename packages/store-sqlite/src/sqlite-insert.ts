import { ConflictError, type InsertResult, type PreparedEvent } from '@hooks/core';
import { all, run, type SqlProgram } from './sqlite-executor.js';
import { INSERT_COLUMNS, preparedToEvent, preparedToParams, rowToEvent } from './sqlite-rows.js';
import type { EventRow, SqliteTableNames } from './sqlite-schema.js';

/**
 * Inserts checked events (the caller runs this in one transaction, so a refused batch writes nothing). An
 * event whose idempotency key is taken, by an earlier row or earlier in the batch, returns that row with
 * `created: false`; an event whose id is taken is a `ConflictError`.
 */
export function* insertEvents(
  names: SqliteTableNames,
  prepared: readonly PreparedEvent[],
): SqlProgram<InsertResult[]> {
  const placeholders = INSERT_COLUMNS.split(',')
    .map(() => '?')
    .join(', ');
  const insert =
    `INSERT INTO ${names.events} (${INSERT_COLUMNS}) VALUES (${placeholders}) ` +
    'ON CONFLICT (idempotency_key) DO NOTHING';
  const byKey = `SELECT * FROM ${names.events} WHERE idempotency_key = ?`;
  const results: InsertResult[] = [];
  for (const event of prepared) {
    let changes: number;
    try {
      changes = yield* run(insert, preparedToParams(event));
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
      throw new ConflictError(`an event with id ${event.id} already exists`, {
        cause: error,
        details: { field: 'id', id: event.id },
      });
    }
    if (changes === 1) {
      results.push({ event: preparedToEvent(event), created: true });
      continue;
    }
    const [existing] = yield* all<EventRow>(byKey, [event.idempotencyKey]);
    if (existing === undefined) throw new Error(`the insert of ${event.id} wrote nothing`);
    results.push({ event: rowToEvent(existing), created: false });
  }
  return results;
}
