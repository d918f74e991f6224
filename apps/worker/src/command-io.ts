import { type DatabaseLocation, type OpenedStore, openStore, SHARED_SETTINGS } from '@hooks/app-shared';
import type { OutputTarget } from './output.js';

/** What a command reads and writes: its streams and environment (the process's by default). */
export interface CommandIo {
  /** Results (tables or JSON). */
  readonly stdout: OutputTarget;
  /** Progress bars and messages for a person. */
  readonly stderr: OutputTarget;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths resolve against. */
  readonly cwd: string;
}

/**
 * The process's own streams, environment and working directory.
 *
 * @example
 * const code = await main(process.argv.slice(2), processIo());
 */
export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** The settings the operator commands (replay, inspect, stats) read: only where the store is. */
export const OPERATOR_SETTINGS = { database: SHARED_SETTINGS.database };

/**
 * Opens the store, runs `work` with it, and closes it whatever happens.
 *
 * @example
 * const counts = await withStore(location, ({ store }) => store.countByStatus());
 */
export async function withStore<T>(
  location: DatabaseLocation,
  work: (opened: OpenedStore) => Promise<T>,
): Promise<T> {
  const opened = await openStore(location, { poolSize: 2 });
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
