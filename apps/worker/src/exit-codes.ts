import { ConfigurationError, HooksError, InvalidInputError } from '@hooks/core';

/** The process exit codes of `hooks-worker` (also listed by `--help` and the README). */
export const EXIT_CODES = Object.freeze({
  /** Done, or stopped cleanly by a signal. */
  ok: 0,
  /** Runtime failure: the store is unreachable, an event was not found, shutdown overran. */
  failure: 1,
  /** Usage or configuration error: unknown flag, bad setting, unbounded replay. */
  usage: 2,
  /** Forced: a second SIGINT/SIGTERM during shutdown. */
  forced: 130,
});

/** The exit codes as `--help` prints them. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    done (or stopped cleanly by SIGTERM/SIGINT)',
  '  1    runtime failure (store unreachable, event not found, shutdown overran)',
  '  2    usage or configuration error (unknown flag, bad setting, unbounded replay)',
  '  130  forced stop (a second SIGTERM/SIGINT)',
].join('\n');

/** A command line that cannot be read (unknown flag, missing value, stray argument): the usage is shown. */
export class UsageError extends ConfigurationError {}

/** True for an error that means "the command line was wrong" (print the usage too). */
export function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError) return true;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return (
    ConfigurationError.isInstance(error) &&
    typeof cause?.code === 'string' &&
    cause.code.startsWith('ERR_PARSE_ARGS')
  );
}

/** The exit code for an error: 2 for configuration and input errors, 1 for everything else. */
export function exitCodeOf(error: unknown): number {
  if (ConfigurationError.isInstance(error) || InvalidInputError.isInstance(error)) return EXIT_CODES.usage;
  return EXIT_CODES.failure;
}

/** One line describing an error for a person (HooksError messages are secret-free). */
export function describeError(error: unknown): string {
  if (HooksError.isInstance(error)) return error.message.replace(/[\r\n]+/g, ' ');
  return error instanceof Error ? `${error.name}: ${error.message}`.replace(/[\r\n]+/g, ' ') : String(error);
}
