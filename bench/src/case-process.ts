import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exited, forkScript, nextMessage } from './child-process.js';
import type { HooksSenderOptions, HooksSenderResult } from './hooks-sender.js';
import type { NotifierMemoryOptions, NotifierMemoryResult } from './notifier-memory.js';
import type { PgBossSenderOptions } from './pgboss-sender.js';
import type { RawUndiciOptions } from './raw-undici.js';
import type { DeliveryMeasurement } from './result-types.js';
import type { ScaleDeliveryOptions, ScaleDeliveryResult } from './scale.js';

/** One measurement to run in a fresh process, by kind. */
export type CaseSpec =
  | { kind: 'raw'; label: string; options: RawUndiciOptions }
  | { kind: 'hooks'; label: string; options: HooksSenderOptions }
  | { kind: 'pgboss'; label: string; options: PgBossSenderOptions }
  | { kind: 'scale'; label: string; options: ScaleDeliveryOptions }
  | { kind: 'notifier'; label: string; options: NotifierMemoryOptions }
  | { kind: 'idle'; label: string; options: Record<string, never> };

/** The result type of each case kind. */
export interface CaseResults {
  /** Raw undici loop. */
  raw: DeliveryMeasurement;
  /** @hooks sender. */
  hooks: HooksSenderResult;
  /** pg-boss sender. */
  pgboss: DeliveryMeasurement;
  /** Delivery on a prefilled backlog. */
  scale: ScaleDeliveryResult;
  /** Notifier memory run. */
  notifier: NotifierMemoryResult;
  /** Nothing: the process's own baseline. */
  idle: null;
}

/** What a case child reports: the result and what its process(es) used. */
export interface CaseOutcome<K extends CaseSpec['kind']> {
  /** The case's result. */
  result: CaseResults[K];
  /** Peak RSS (bytes) and CPU time (microseconds), summed over the case's processes. */
  usage: { peakRssBytes: number; cpuMicros: number };
}

/** What `case-child.ts` is sent: the case, and where to write a CPU profile of it (if anywhere). */
export interface CaseRequest {
  /** The case. */
  spec: CaseSpec;
  /** Path of the `.cpuprofile` to write, or undefined. */
  profileFile: string | undefined;
}

/** Messages of `case-child.ts`. */
export type CaseMessage =
  | { type: 'done'; result: unknown; usage: { peakRssBytes: number; cpuMicros: number } }
  | { type: 'failed'; error: string };

/** Options of `runCase`. */
export interface RunCaseOptions {
  /** Write a V8 CPU profile of the measured part of the case to `<cpuProfDir>/<label>.cpuprofile`. */
  cpuProfDir?: string;
  /** Extra Node.js flags for the case process (e.g. `--expose-gc`). */
  nodeFlags?: readonly string[];
  /** Runs before each try (e.g. resetting the receiver's counters). */
  beforeAttempt?: () => Promise<void>;
}

/** Crashes worth another try: a process that died before answering (e.g. a workspace package's dist/ was
 * being rebuilt by someone else at that moment, so an import failed). */
const CRASH = /exited \(code|ERR_MODULE_NOT_FOUND/;
const ATTEMPTS = 3;

/**
 * Runs one case in a fresh child process (`case-child.ts`), so that peak RSS and CPU time are the case's
 * own and nothing (JIT state, sockets, heap) carries over from the previous case. A case whose process
 * crashed before answering is tried again (up to 3 times, 5 s apart); `beforeAttempt` runs before each try.
 *
 * @example
 * const { result, usage } = await runCase({ kind: 'raw', label: 'raw-c64', options: { url, events: 5000, concurrency: 64, idPrefix: 'msg_raw_1' } });
 */
export async function runCase<S extends CaseSpec>(
  spec: S,
  options: RunCaseOptions = {},
): Promise<CaseOutcome<S['kind']>> {
  for (let attempt = 1; ; attempt++) {
    await options.beforeAttempt?.();
    try {
      return await runCaseOnce(spec, options);
    } catch (error) {
      if (attempt >= ATTEMPTS || !CRASH.test(String(error))) throw error;
      process.stderr.write(
        `bench: ${spec.label} crashed (${String(error).split('\n')[0]}); trying again in 5 s\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

async function runCaseOnce<S extends CaseSpec>(
  spec: S,
  options: RunCaseOptions = {},
): Promise<CaseOutcome<S['kind']>> {
  let profileFile: string | undefined;
  if (options.cpuProfDir !== undefined) {
    mkdirSync(options.cpuProfDir, { recursive: true });
    profileFile = join(options.cpuProfDir, `${spec.label}.cpuprofile`);
  }
  const child = forkScript('./case-child.ts', options.nodeFlags ?? []);
  try {
    const done = nextMessage<CaseMessage & { type: 'done' }>(child, 'done');
    const failed = nextMessage<CaseMessage & { type: 'failed' }>(child, 'failed');
    done.catch(() => undefined);
    failed.catch(() => undefined);
    child.send({ spec, profileFile });
    const message = await Promise.race([done, failed]);
    if (message.type === 'failed') throw new Error(`${spec.label}: ${message.error}`);
    await exited(child);
    return { result: message.result as CaseResults[S['kind']], usage: message.usage };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
}
