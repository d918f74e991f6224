import { InvalidInputError } from './errors.js';
import type { Unsubscribe } from './webhook-store.js';

/**
 * In-process listeners for a store's `subscribe`: `wake()` calls each one soon (in a microtask), skips those
 * unsubscribed meanwhile, and swallows a listener's failure so the others still run.
 *
 * @example
 * const listeners = new WakeListeners();
 * const stop = listeners.subscribe(() => scheduler.wake());
 * listeners.wake(); // after an insert
 * stop();
 */
export class WakeListeners {
  readonly #entries = new Set<{ listener: () => void }>();

  /** Adds a listener; throws `InvalidInputError` when it is not a function. */
  subscribe(listener: () => void): Unsubscribe {
    if (typeof listener !== 'function') {
      throw new InvalidInputError('listener must be a function', { details: { field: 'listener' } });
    }
    const entry = { listener };
    this.#entries.add(entry);
    return () => {
      this.#entries.delete(entry);
    };
  }

  /** Calls every current listener in a microtask. */
  wake(): void {
    for (const entry of this.#entries) {
      queueMicrotask(() => {
        if (!this.#entries.has(entry)) return;
        try {
          entry.listener();
        } catch {
          // A listener's failure is its own business; the store's operation already succeeded.
        }
      });
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#entries.clear();
  }
}
