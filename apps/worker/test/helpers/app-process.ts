import { type ChildProcess, spawn } from 'node:child_process';
import { baseEnv } from './worker-process.js';

/** A node script run as a child process, with everything it writes kept as raw text. */
export interface AppProcess {
  /** The child. */
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in stdout + stderr (past or future). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/**
 * Spawns `node <script> ...args` with the test's environment minus HOOKS_* plus `env`.
 *
 * @example
 * const server = spawnApp(MOCK_SERVER_CLI, ['--port=0'], { HOOKS_LOG_LEVEL: 'debug' });
 * const [, url] = await server.waitFor(/listening on (http:\S+)/);
 */
export function spawnApp(script: string, args: readonly string[], env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, [script, ...args], {
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    notify();
  });
  let closed = false;
  // 'close', not 'exit': by then stdout and stderr are read to the end.
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      closed = true;
      resolve(code);
      notify();
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(out + err);
          if (match !== null) {
            done();
            resolve(match);
          } else if (closed) {
            done();
            reject(new Error(`exited before ${pattern} appeared:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}:\n${out}\n${err}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}
