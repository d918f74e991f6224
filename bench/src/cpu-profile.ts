import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** One line of a profile summary. */
export interface ProfileEntry {
  /** Function name and location, or a package when grouped. */
  name: string;
  /** Self time, in milliseconds. */
  selfMs: number;
  /** Share of all sampled time, in percent. */
  percent: number;
}

/** The hottest functions and the time per package of one V8 CPU profile. */
export interface ProfileSummary {
  /** Sampled milliseconds in all. */
  totalMs: number;
  /** Functions by self time. */
  functions: ProfileEntry[];
  /** Self time grouped by package (`@hooks/engine`, `pg`, `undici`, `node:internal`, ...). */
  packages: ProfileEntry[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a script URL belongs to. */
export function packageOf(url: string): string {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const hooks = /\/packages\/([^/]+)\//.exec(url);
  if (hooks !== null) return `@hooks/${hooks[1]}`;
  const modules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  if (modules !== null) return modules.at(-1)!.replace('node_modules/', '');
  if (url.includes('/bench/src/')) return 'bench harness';
  return url;
}

function top(map: Map<string, number>, total: number, count: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => ({
      name,
      selfMs: Math.round(micros / 100) / 10,
      percent: Math.round((micros / total) * 1000) / 10,
    }));
}

/**
 * Reads a `.cpuprofile` written by `node --cpu-prof` and sums self time per function and per package.
 *
 * @example
 * const { packages, functions } = summarizeCpuProfile('bench/results/profiles/x.cpuprofile');
 */
export function summarizeCpuProfile(path: string, count = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const frame = byId.get(id);
    if (frame === undefined) return;
    total += micros;
    const file = frame.url.replace(/^.*\/(packages|node_modules)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const owner = frame.url === '' ? frame.functionName || '(native)' : packageOf(frame.url);
    packages.set(owner, (packages.get(owner) ?? 0) + micros);
  });
  return {
    totalMs: Math.round(total / 1000),
    functions: top(functions, total || 1, count),
    packages: top(packages, total || 1, count),
  };
}

/** A running V8 CPU profile of this process. */
export interface RunningProfile {
  /** Stops profiling; resolves with the profile (the `.cpuprofile` JSON). */
  stop(): Promise<object>;
}

/**
 * Starts the V8 CPU profiler (the one `node --cpu-prof` uses) on this thread through the inspector, so that
 * a profile covers only the measured work, not process start-up and module loading.
 *
 * @example
 * const profile = await startCpuProfile();
 * await work();
 * writeFileSync('work.cpuprofile', JSON.stringify(await profile.stop()));
 */
export async function startCpuProfile(): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}
