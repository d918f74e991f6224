import type { Logger } from '@hooks/engine';

const noop = (): void => {};

/**
 * The engine logger of the bench's dispatchers: warnings and errors go to stderr (prefixed with `name`),
 * so that a store error or a lost lease during a run is seen next to its figures; debug and info are dropped.
 *
 * @example
 * createDispatcher({ store, logger: benchLogger('postgres worker 1') });
 */
export function benchLogger(name: string): Logger {
  const write =
    (level: string) =>
    (obj: Record<string, unknown>, msg: string): void => {
      process.stderr.write(`[${name}] ${level}: ${msg} ${JSON.stringify(obj)}\n`);
    };
  return { debug: noop, info: noop, warn: write('warn'), error: write('error') };
}
