import { fileURLToPath } from 'node:url';
import { SECTIONS, type SectionName } from './section-file.js';

/** The resolved command line of `pnpm bench`. */
export interface CliOptions {
  /** The arguments as given (without `--`). */
  argv: string[];
  /** `--help`. */
  help: boolean;
  /** `--quick`: a smoke run in under two minutes, written to results/quick/. */
  quick: boolean;
  /** `--only a,b`: the sections to run (default all). */
  sections: SectionName[];
  /** `--n N`: events timed per delivery run. */
  events: number;
  /** Untimed events sent first in every delivery run: a fifth of `events`, at most 1000. */
  warmup: number;
  /** `--concurrency 16,64`: delivery concurrencies. */
  concurrencies: number[];
  /** Delivery enqueue modes (quick: single only). */
  modes: ('single' | 'batch')[];
  /** `--report`: rebuild REPORT.md, the charts and summary.json from the section files; run nothing. */
  reportOnly: boolean;
  /** `--json`: print the results as JSON on stdout (progress stays on stderr). */
  json: boolean;
  /** `--profile <regex>`: V8 CPU profiles of the delivery cases whose name matches. */
  profile: RegExp | undefined;
  /** PostgreSQL URL. */
  databaseUrl: string;
  /** Where results go. */
  outDir: string;
  /** Where CPU profiles go. */
  profileDir: string;
  /** Hand-written profile findings appended to REPORT.md (full runs). */
  notesFile: string | undefined;
  /** Scale section: backlog sizes, rounds, timed deliveries per round, warm-up. */
  scale: { sizes: number[]; rounds: number; deliverPerRound: number; warmup: number; concurrency: number };
  /** Notifier section: notifications, queue capacity, concurrency, sample interval, receiver delay. */
  notifier: {
    notifications: number;
    capacity: number;
    concurrency: number;
    sampleEvery: number;
    receiverDelayMs: number;
  };
}

/** `pnpm bench --help`. */
export const USAGE = `Usage: pnpm bench [options]   (also: pnpm bench -- [options])

  --quick                 smoke run in under 2 minutes (1000 events, concurrency 64, enqueue only,
                          backlogs of 10k and 100k, 100k notifications into a 2k queue),
                          written to bench/results/quick/
  --only <sections>       comma-separated: ${SECTIONS.join(', ')} (default: all); REPORT.md is rebuilt
                          from every section file present
  --n <events>            timed events per delivery run (default 8000; quick 1000), after
                          min(1000, n/5) untimed warm-up events
  --concurrency <list>    delivery concurrencies (default 16,64,256; quick 64)
  --report                rebuild REPORT.md, the charts and summary.json from the section files
                          already in the results directory, without running anything
  --json                  print targets and results as JSON on stdout
  --profile <regex>       write V8 CPU profiles (node --cpu-prof) of the delivery cases whose name matches,
                          e.g. "memory-enqueue-1-worker-c64", to <results>/profiles/, with summaries
  --help                  this text

Environment: HOOKS_BENCH_DATABASE_URL (else HOOKS_TEST_DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/test).`;

function positiveInt(value: string | undefined, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`${flag} needs a positive integer, got ${value}`);
  return parsed;
}

/**
 * Parses the command line. Accepts `--flag value` and `--flag=value`, and ignores a `--` separator so that
 * both `pnpm bench --quick` and `pnpm bench -- --quick` work.
 *
 * @example
 * const cli = parseCli(['--quick', '--only', 'delivery']);
 */
export function parseCli(args: readonly string[]): CliOptions {
  const argv = args.filter((arg) => arg !== '--');
  const values = new Map<string, string>();
  const withValue = new Set(['--only', '--n', '--concurrency', '--profile']);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!['--quick', '--json', '--report', '--help', '-h', ...withValue].includes(flag))
      throw new Error(`unknown option ${flag}`);
    if (!withValue.has(flag)) values.set(flag, 'true');
    else if (inline !== undefined) values.set(flag, inline);
    else if (i + 1 < argv.length) values.set(flag, argv[++i]!);
    else throw new Error(`${flag} needs a value`);
  }
  const quick = values.has('--quick');
  const sections = (values.get('--only')?.split(',') ?? [...SECTIONS]).map((name) => name.trim());
  for (const name of sections) {
    if (!SECTIONS.includes(name as SectionName))
      throw new Error(`unknown section ${name} (have ${SECTIONS.join(', ')})`);
  }
  const results = fileURLToPath(new URL('../results/', import.meta.url));
  const outDir = quick ? `${results}quick` : results.replace(/\/$/, '');
  const profile = values.get('--profile');
  const events = values.has('--n') ? positiveInt(values.get('--n'), '--n') : quick ? 1000 : 8000;
  return {
    argv,
    help: values.has('--help') || values.has('-h'),
    quick,
    sections: SECTIONS.filter((name) => sections.includes(name)),
    events,
    warmup: Math.min(1000, Math.round(events / 5)),
    concurrencies: values.has('--concurrency')
      ? values
          .get('--concurrency')!
          .split(',')
          .map((value) => positiveInt(value, '--concurrency'))
      : quick
        ? [64]
        : [16, 64, 256],
    modes: quick ? ['single'] : ['single', 'batch'],
    reportOnly: values.has('--report'),
    json: values.has('--json'),
    profile: profile === undefined ? undefined : new RegExp(profile),
    databaseUrl:
      process.env.HOOKS_BENCH_DATABASE_URL ??
      process.env.HOOKS_TEST_DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/test',
    outDir,
    profileDir: `${outDir}/profiles`,
    notesFile: quick ? undefined : fileURLToPath(new URL('../PROFILING.md', import.meta.url)),
    scale: quick
      ? { sizes: [10_000, 100_000], rounds: 1, deliverPerRound: 1000, warmup: 200, concurrency: 64 }
      : {
          sizes: [10_000, 100_000, 1_000_000],
          rounds: 2,
          deliverPerRound: 2500,
          warmup: 300,
          concurrency: 64,
        },
    notifier: quick
      ? {
          notifications: 100_000,
          capacity: 2_000,
          concurrency: 16,
          sampleEvery: 20_000,
          receiverDelayMs: 20,
        }
      : {
          notifications: 1_000_000,
          capacity: 10_000,
          concurrency: 16,
          sampleEvery: 100_000,
          receiverDelayMs: 20,
        },
  };
}
