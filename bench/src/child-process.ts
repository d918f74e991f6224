import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A flag that loads tsx (`--import tsx`, or tsx's own `.../tsx/dist/loader.mjs`), not any path naming it. */
const TSX_FLAG = /(^|[\\/])tsx([\\/]dist[\\/]|$)/;

/**
 * Node flags that let a child run this package's TypeScript: the parent's own (tsx's loader when started
 * with `tsx`), else the parent's plus `--import tsx` (e.g. under vitest).
 */
export function tsNodeFlags(): string[] {
  const inherited = process.execArgv.filter((flag) => !flag.startsWith('--cpu-prof'));
  if (inherited.some((flag) => TSX_FLAG.test(flag))) return inherited;
  return [...inherited, '--import', import.meta.resolve('tsx')];
}

/**
 * Forks one of this package's TypeScript files (`./receiver-child.ts`, ...) with an IPC channel; stdout
 * and stderr go to the parent's stderr so that `--json` output stays clean.
 *
 * @example
 * const child = forkScript('./receiver-child.ts');
 */
export function forkScript(relative: string, extraFlags: readonly string[] = []): ChildProcess {
  const file = fileURLToPath(new URL(relative, import.meta.url));
  const child = fork(file, [], {
    execArgv: [...tsNodeFlags(), ...extraFlags],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  return child;
}

/** Waits for the first IPC message of `type` from `child`; rejects if the child exits first. */
export function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: T): void => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`child exited (code ${code}, signal ${signal}) before sending '${type}'`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
