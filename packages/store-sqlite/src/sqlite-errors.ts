import { ConflictError, HooksError, StoreUnavailableError } from '@hooks/core';

/** The error every call on a closed store rejects with. */
export function closedError(): HooksError {
  return new HooksError('HOOKS_ERR_CLOSED', '@hooks/store-sqlite: the store is closed');
}

/**
 * Turns anything a call threw into a `HooksError`: HooksErrors pass through, a duplicate event id becomes a
 * `ConflictError`, every other database failure a `StoreUnavailableError` naming the SQLite code.
 */
export function toHooksError(error: unknown, operation: string): HooksError {
  if (HooksError.isInstance(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new ConflictError(`@hooks/store-sqlite: ${operation}: an event with this id already exists`, {
      cause: error,
    });
  }
  const suffix = typeof code === 'string' ? ` (${code})` : '';
  return new StoreUnavailableError(`@hooks/store-sqlite: ${operation} failed${suffix}: ${text}`, {
    cause: error,
    details: typeof code === 'string' ? { sqliteCode: code } : undefined,
  });
}
