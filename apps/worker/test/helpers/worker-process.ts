import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI the tests run, as a user would. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** One JSON log line of the worker. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** How a child process ended. */
export interface Exit {
  /** Exit code, or null when a signal killed it. */
  code: number | null;
  /** The killing signal, or null. */
  signal: NodeJS.Signals | null;
}

/** A `hooks-worker run` child process. */
export interface WorkerProcess {
  /** The child. */
  readonly child: ChildProcess;
  /** Every JSON log line so far. */
  readonly logs: LogLine[];
  /** Everything written to stderr. */
  readonly stderr: () => string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Resolves with the first log line (past or future) matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends a signal. */
  kill(signal: NodeJS.Signals): void;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every worker a test left running (call in afterEach / afterAll). */
export function killAllWorkers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** The environment children get: the test's, minus anything that would change the worker's settings. */
export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('HOOKS_')) env[key] = value;
  return { ...env, ...extra };
}

/**
 * Spawns `node dist/cli.js run <args>` with JSON logs on stdout.
 *
 * @example
 * const worker = spawnWorker(['--database-url', url, '--webhook-secret', secret]);
 */
export function spawnWorker(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd: string = process.cwd(),
): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'run', ...args], {
    cwd,
    env: baseEnv({ HOOKS_LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let errText = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line, raw: true });
      }
    }
    for (const waiter of [...waiters]) waiter();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errText += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
      for (const waiter of [...waiters]) waiter();
    });
  });
  return {
    child,
    logs,
    stderr: () => errText,
    exited,
    kill: (signal) => child.kill(signal),
    waitForLog(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = logs.find(predicate);
          if (found !== undefined) {
            done();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`worker exited before the log line appeared; stderr: ${errText.slice(0, 500)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for a log line; last: ${JSON.stringify(logs.slice(-3))}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** What a finished CLI run printed. */
export interface CliResult {
  /** Exit code. */
  code: number | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `node dist/cli.js <args>` to completion with stdout piped (so not a terminal).
 *
 * @example
 * const { code, stdout } = await runCli(['stats', '--database-url', url]);
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd: string = process.cwd(),
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: baseEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
