// `pnpm bench`: the @hooks benchmark. Starts a receiver in its own process, runs the sections (delivery
// against raw undici and pg-boss, backlog scale, notifier memory, signing), writes bench/results/*.json,
// the SVG charts and REPORT.md, and stops what it started. See README.md in this package.
// Usage: pnpm bench [--quick] [--only delivery,scale,notifier,signing] [--n N] [--concurrency 16,64,256]
//                   [--json] [--profile <regex of case names>]
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCase } from './case-process.js';
import { type CliOptions, parseCli, USAGE } from './cli-options.js';
import { summarizeCpuProfile } from './cpu-profile.js';
import { loadAverage, machineFacts, postgresVersion } from './machine.js';
import { startReceiver } from './receiver-process.js';
import { writeReport } from './report.js';
import { mib } from './rss-sampler.js';
import { readSections, type SectionData, type SectionName, writeSection } from './section-file.js';
import { runSection, sectionMethod } from './sections.js';

const startedAt = performance.now();
const log = (line: string): void => {
  const seconds = Math.round((performance.now() - startedAt) / 1000);
  const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  process.stderr.write(`[${clock}] ${line}\n`);
};

function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Fails early, naming the fix, when a workspace package has not been built. */
function checkBuilt(): void {
  const missing = ['core', 'engine', 'signing', 'store-memory', 'store-sqlite', 'store-postgres'].filter(
    (name) => !existsSync(fileURLToPath(new URL(`../../packages/${name}/dist/index.js`, import.meta.url))),
  );
  if (missing.length > 0) {
    throw new Error(
      `packages not built (${missing.join(', ')}): run \`pnpm build\` at the repository root first`,
    );
  }
}

async function main(cli: CliOptions): Promise<void> {
  const written = cli.reportOnly ? [] : await runSections(cli);
  if (cli.profile !== undefined && existsSync(cli.profileDir)) summarizeProfiles(cli);
  const sections = readSections(cli.outDir);
  const report = writeReport(cli.outDir, sections, cli.notesFile);
  if (cli.json) {
    process.stdout.write(`${JSON.stringify({ targets: report.targets, sections }, null, 2)}\n`);
    return;
  }
  for (const check of report.targets) {
    const verdict = check.met ? 'met   ' : 'MISSED';
    process.stdout.write(
      `${verdict}  ${check.target}: ${check.measured ?? '-'} (required ${check.comparison} ${check.required})\n`,
    );
  }
  const files = [...written, ...report.charts, report.summary, report.markdown];
  process.stdout.write(`\nwrote ${files.join('\n      ')}\n`);
}

/** Runs the selected sections, writing one results file per section; returns their paths. */
async function runSections(cli: CliOptions): Promise<string[]> {
  checkBuilt();
  const needsPostgres = cli.sections.some((section) => section === 'delivery' || section === 'scale');
  if (needsPostgres && (await postgresVersion(cli.databaseUrl)) === null) {
    throw new Error(
      `PostgreSQL is not reachable at ${maskPassword(cli.databaseUrl)}. Start it, or point HOOKS_BENCH_DATABASE_URL ` +
        'at one (the delivery and scale sections need it; `--only notifier,signing` does not).',
    );
  }
  const machine = await machineFacts(cli.databaseUrl);
  log(
    `bench: ${cli.quick ? 'quick' : 'full'} run of ${cli.sections.join(', ')}; ${machine.cores} cores, node ${machine.node}, PostgreSQL ${machine.postgres ?? '-'}; load ${loadAverage().join(' ')}`,
  );
  machine.idleCaseRssMiB = mib(
    (await runCase({ kind: 'idle', label: 'idle', options: {} })).usage.peakRssBytes,
  );
  const receiver = await startReceiver();
  const written: string[] = [];
  try {
    for (const section of cli.sections) {
      const startedAt = new Date().toISOString();
      const start = loadAverage();
      log(`bench: section ${section} (load ${start.join(' ')})`);
      const data = await runSection(section, cli, receiver, log);
      written.push(
        writeSection(cli.outDir, {
          section,
          quick: cli.quick,
          command: ['pnpm bench', ...cli.argv].join(' '),
          startedAt,
          finishedAt: new Date().toISOString(),
          loadAverage: { start, end: loadAverage() },
          machine,
          method: sectionMethod(section, cli),
          data: data as SectionData[SectionName],
        }),
      );
    }
  } finally {
    await receiver.stop();
  }
  return written;
}

/** Writes a summary beside each CPU profile and prints the hottest packages and functions. */
function summarizeProfiles(cli: CliOptions): void {
  for (const name of readdirSync(cli.profileDir).filter((file) => file.endsWith('.cpuprofile'))) {
    const summary = summarizeCpuProfile(join(cli.profileDir, name));
    const path = join(cli.profileDir, name.replace(/cpuprofile$/, 'summary.json'));
    writeFileSync(path, `${JSON.stringify(summary, null, 2)}\n`);
    log(`\nprofile ${name}: ${summary.totalMs} ms sampled`);
    for (const entry of summary.packages.slice(0, 8)) log(`  ${entry.percent}%  ${entry.name}`);
    for (const entry of summary.functions.slice(0, 12)) log(`  ${entry.percent}%  ${entry.name}`);
  }
}

let cli: CliOptions;
try {
  cli = parseCli(process.argv.slice(2));
} catch (error) {
  log(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (cli.help) {
  process.stdout.write(`${USAGE}\n`);
} else {
  main(cli).catch((error: unknown) => {
    log(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
