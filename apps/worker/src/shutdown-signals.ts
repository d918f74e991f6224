/** What to do on termination signals. */
export interface ShutdownHandlers {
  /** The first SIGTERM/SIGINT: stop gracefully. */
  graceful(signal: NodeJS.Signals): void;
  /** A second signal while stopping: stop at once. */
  forced(signal: NodeJS.Signals): void;
}

/** The signals that stop the worker. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = Object.freeze(['SIGTERM', 'SIGINT']);

/**
 * Listens for SIGTERM and SIGINT: the first one calls `graceful`, any later one `forced`. Returns a
 * function that removes the listeners.
 *
 * @example
 * const off = onShutdownSignals({ graceful: () => void stop(), forced: () => process.exit(130) });
 */
export function onShutdownSignals(handlers: ShutdownHandlers): () => void {
  let received = 0;
  const listener = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) handlers.graceful(signal);
    else handlers.forced(signal);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, listener);
  };
}
