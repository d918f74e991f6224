// V8 CPU profiles of one benchmark case, taken through node:inspector around the measured part only (no
// start-up, no module loading), with a summary of self time per package and per function.
import { Session } from 'node:inspector/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** A `.cpuprofile` as V8 writes it (the parts the summary reads). */
export interface CpuProfile {
  /** Call-tree nodes. */
  nodes: { id: number; callFrame: CallFrame }[];
  /** The node id of each sample. */
  samples: number[];
  /** Microseconds before each sample. */
  timeDeltas: number[];
}

/** Self time of one function or package. */
export interface ProfileEntry {
  /** Function (with file and line) or package. */
  name: string;
  /** Share of all sampled time, in percent. */
  percent: number;
  /** Self time per event, in microseconds. */
  usPerEvent: number;
}

/** Where the time of one profiled case went. */
export interface ProfileSummary {
  /** Sampled time per event (idle included), in microseconds. */
  usPerEvent: number;
  /** Sampled time per event without `(idle)`, in microseconds. */
  busyUsPerEvent: number;
  /** Self time grouped by package. */
  packages: ProfileEntry[];
  /** The hottest functions by self time. */
  functions: ProfileEntry[];
}

/** The package a script URL belongs to (`@hooks/engine`, `undici`, `node:internal`, ...). */
function packageOf(frame: CallFrame): string {
  const { url } = frame;
  if (url === '') return frame.functionName === '' ? '(native)' : frame.functionName;
  if (url.startsWith('node:')) return 'node:internal';
  const hooks = /\/packages\/([^/]+)\/(?!node_modules)/.exec(url);
  const modules = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/g);
  if (modules !== null) return modules.at(-1)!.replace(/^.*node_modules\//, '');
  if (hooks !== null) return `@hooks/${hooks[1]}`;
  return url;
}

/** Starts the sampler on this thread; `stop()` resolves with the profile. */
export async function startCpuProfile(): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile as unknown as CpuProfile;
    },
  };
}

function top(map: Map<string, number>, total: number, events: number, count: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => ({
      name,
      percent: Math.round((micros / total) * 1000) / 10,
      usPerEvent: Math.round((micros / events) * 10) / 10,
    }));
}

/**
 * Self time per package and per function of `profile`, per event.
 *
 * @example
 * const summary = summarizeProfile(await running.stop(), 10_000);
 */
export function summarizeProfile(profile: CpuProfile, events: number, count = 25): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const frame = frames.get(id);
    if (frame === undefined) return;
    total += micros;
    if (frame.functionName === '(idle)') idle += micros;
    const file = frame.url.replace(/^.*\/(packages|node_modules)\//, '');
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const owner = packageOf(frame);
    packages.set(owner, (packages.get(owner) ?? 0) + micros);
  });
  return {
    usPerEvent: Math.round(total / events),
    busyUsPerEvent: Math.round((total - idle) / events),
    packages: top(packages, total || 1, events, count),
    functions: top(functions, total || 1, events, count),
  };
}
