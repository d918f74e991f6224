import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineFacts } from './machine.js';
import type { DeliveryRow, TargetCheck } from './result-types.js';
import type { SectionFile, Sections } from './section-file.js';
import { median } from './stats.js';
import { type Bar, barChart, lineChart, PALETTE } from './svg-chart.js';
import { evaluateTargets } from './targets.js';

/** What `writeReport` wrote. */
export interface ReportFiles {
  /** Path of REPORT.md. */
  markdown: string;
  /** Paths of the SVG charts. */
  charts: string[];
  /** Path of summary.json. */
  summary: string;
  /** The target checks. */
  targets: TargetCheck[];
}

const num = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined
    ? '-'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const times = (value: number | null): string => (value === null ? '-' : `${value.toFixed(2)}x`);
const rowsLabel = (rows: number): string => (rows >= 1e6 ? `${rows / 1e6}M` : `${rows / 1e3}k`);

function table(header: string[], rows: string[][], align: ('l' | 'r')[]): string {
  const rule = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The bars of one concurrency: raw (median of its runs), each store, Postgres with two workers, pg-boss. */
function deliveryBars(rows: DeliveryRow[]): Bar[] {
  const raw = median(rows.filter((row) => row.system === 'raw-undici').map((row) => row.deliveriesPerSec));
  const bars: Bar[] = [{ label: 'raw undici (median of runs)', value: raw, color: PALETTE[0] }];
  const pick = (predicate: (row: DeliveryRow) => boolean, color: string): void => {
    const row = rows.find(predicate);
    if (row === undefined) return;
    const note = `${num(row.deliveriesPerSec)}  (${times(row.ratioToRaw)} raw)`;
    bars.push({ label: row.label, value: row.deliveriesPerSec, color, note });
  };
  const single = (store: string, workers: number) => (row: DeliveryRow) =>
    row.system === 'hooks' && row.store === store && row.enqueue === 'single' && row.workers === workers;
  pick(single('memory', 1), PALETTE[1]);
  pick(single('sqlite', 1), PALETTE[2]);
  pick(single('postgres', 1), PALETTE[3]);
  pick(single('postgres', 2), PALETTE[5]);
  pick((row) => row.system === 'pg-boss' && row.enqueue === 'single', PALETTE[4]);
  return bars;
}

function machineSection(machine: MachineFacts, sections: SectionFile[]): string {
  const facts = table(
    ['fact', 'value'],
    [
      ['CPU', `${machine.cores} cores, ${machine.cpuModel}`],
      ['memory', `${machine.memoryGiB} GiB`],
      ['OS', machine.os],
      ['Node.js', machine.node],
      ['PostgreSQL', machine.postgres ?? 'not reachable'],
      ['SQLite', machine.sqlite],
      ['pg-boss / undici', `${machine.pgBoss} / ${machine.undici}`],
      [
        'idle case process',
        `${num(machine.idleCaseRssMiB, 1)} MiB peak RSS (Node.js, tsx loader, imports): the floor of every RSS figure`,
      ],
    ],
    ['l', 'l'],
  );
  const loads = table(
    ['section', 'started', 'load avg at start (1/5/15 min)', 'load avg at end'],
    sections.map((file) => [
      file.section,
      file.startedAt.replace('T', ' ').slice(0, 19),
      file.loadAverage.start.join(' / '),
      file.loadAverage.end.join(' / '),
    ]),
    ['l', 'l', 'r', 'r'],
  );
  return [
    '## Machine and how to reproduce',
    '',
    facts,
    '',
    'The machine is shared with other jobs, so absolute figures are noisy; every ratio is taken between runs',
    'made moments apart in the same invocation. Load averages (on this many cores) during each section:',
    '',
    loads,
    '',
    '```sh',
    'pnpm install && pnpm build         # the bench imports the packages from their dist/',
    'pnpm bench                         # everything: writes bench/results/*.json, *.svg and this REPORT.md',
    'pnpm bench --quick                 # smoke run (< 2 min), written to bench/results/quick/',
    'pnpm bench --only scale            # one section (delivery, scale, notifier, signing); the report is rebuilt',
    'pnpm bench --report                # rebuild this report and the charts from the JSON files, run nothing',
    'pnpm bench --n 10000 --profile "postgres-enqueue-1-worker-c64"   # more events; V8 CPU profile of matching cases',
    '```',
    '',
    'PostgreSQL: `HOOKS_BENCH_DATABASE_URL`, else `HOOKS_TEST_DATABASE_URL`, else',
    '`postgres://postgres@127.0.0.1:5432/test`. The receiver and every sender run on 127.0.0.1.',
  ].join('\n');
}

/** Receiver repeats and engine incidents of a row, `0` when clean. */
function incidents(row: DeliveryRow): string {
  const parts: string[] = [];
  if (row.received.duplicates > 0) parts.push(`${row.received.duplicates} repeated webhook-ids`);
  const counted = row.incidents;
  if (counted !== null && counted.storeErrors > 0) parts.push(`${counted.storeErrors} store errors`);
  if (counted !== null && counted.leaseLosses > 0) parts.push(`${counted.leaseLosses} lease losses`);
  if (counted !== null && counted.retried > 0) parts.push(`${counted.retried} retries`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

function deliverySection(file: SectionFile<'delivery'>): string {
  const lines = ['## Deliveries: enqueue to delivered', '', '![deliveries per second](deliveries.svg)', ''];
  for (const [key, value] of Object.entries(file.method)) lines.push(`- **${key}**: ${value}`);
  const byConcurrency = [...new Set(file.data.map((row) => row.concurrency))];
  for (const concurrency of byConcurrency) {
    const rows = file.data.filter((row) => row.concurrency === concurrency && row.system !== 'raw-undici');
    const raws = file.data.filter((row) => row.concurrency === concurrency && row.system === 'raw-undici');
    lines.push(
      '',
      `### Concurrency ${concurrency}`,
      '',
      `Raw undici runs at this concurrency: ${raws.map((row) => num(row.deliveriesPerSec)).join(', ')} deliveries/s ` +
        `(median ${num(median(raws.map((row) => row.deliveriesPerSec)))}; p50 ${num(median(raws.map((r) => r.latency.p50)), 2)} ms, ` +
        `${num(median(raws.map((r) => r.cpuUsPerEvent)))} µs CPU per request, ${num(median(raws.map((r) => r.peakRssMiB)), 1)} MiB peak RSS).`,
      '',
      table(
        [
          'system',
          'deliveries/s',
          'x raw',
          'x pg-boss',
          'enqueue/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'peak RSS MiB',
          'CPU µs/event',
          'CPU x raw',
          'repeats / incidents',
        ],
        rows.map((row) => [
          row.label,
          num(row.deliveriesPerSec),
          times(row.ratioToRaw),
          times(row.ratioToPgBoss),
          num(row.enqueuePerSec),
          num(row.latency.p50, 1),
          num(row.latency.p99, 1),
          num(row.latency.max, 0),
          num(row.peakRssMiB, 1),
          num(row.cpuUsPerEvent),
          times(row.cpuRatioToRaw),
          incidents(row),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
    );
  }
  return lines.join('\n');
}

function scaleSection(file: SectionFile<'scale'>): string {
  return [
    '## Throughput vs backlog size',
    '',
    '![deliveries per second vs pending rows](backlog.svg)',
    '',
    ...Object.entries(file.method).map(([key, value]) => `- **${key}**: ${value}`),
    '',
    table(
      [
        'store',
        'pending rows',
        'prefill s',
        'deliveries/s per round',
        'deliveries/s (median)',
        'x smallest',
        'peak RSS MiB',
        'CPU µs/event',
      ],
      file.data.map((row) => [
        row.store,
        rowsLabel(row.pending),
        num(row.prefillSeconds, 1),
        row.rounds.map((rate) => num(rate)).join(', '),
        num(row.deliveriesPerSec),
        times(row.ratioToSmallest),
        num(row.peakRssMiB, 1),
        num(row.cpuUsPerEvent),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  ].join('\n');
}

function notifierSection(file: SectionFile<'notifier'>): string {
  const result = file.data;
  const accounting = (name: string, a: typeof result.final): string[] => [
    name,
    num(a.notified),
    num(a.delivered),
    num(a.dropped),
    num(a.failed),
    num(a.refused),
    num(a.inQueue),
    num(a.inFlight),
    num(a.unaccounted),
  ];
  return [
    '## Notifier memory under overload',
    '',
    ...Object.entries(file.method).map(([key, value]) => `- **${key}**: ${value}`),
    `- fed ${num(result.final.notified)} notifications in ${result.feedSeconds} s (${num(result.notifyPerSec)} notify/s); drained in ${result.drainSeconds} s`,
    '',
    table(
      ['notifications', 'RSS MiB', 'heap used MiB', 'external MiB'],
      result.samples.map((s) => [
        num(s.notified),
        num(s.rssMiB, 1),
        num(s.heapUsedMiB, 1),
        num(s.externalMiB, 1),
      ]),
      ['r', 'r', 'r', 'r'],
    ),
    '',
    `RSS from the first to the last sample: ${result.rssGrowthMiB >= 0 ? '+' : ''}${result.rssGrowthMiB} MiB.`,
    '',
    table(
      [
        'when',
        'notified',
        'delivered',
        'dropped',
        'failed',
        'refused',
        'in queue',
        'in flight',
        'unaccounted',
      ],
      [accounting('after the last notify', result.atFeedEnd), accounting('after the drain', result.final)],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    '"Unaccounted" right after the last notify are attempts whose HTTP exchange ended but whose outcome was',
    'still being written (the delivery slot is freed first); after the drain it must be 0.',
  ].join('\n');
}

function signingSection(file: SectionFile<'signing'>): string {
  return [
    '## Signing',
    '',
    `From \`${file.data.command}\` (the signing package's own benchmark, run as a child): medians of interleaved`,
    'CPU-time rounds; "x raw" is the median per-round ratio to raw node:crypto.',
    '',
    table(
      ['op', 'body', 'implementation', 'ops/s', 'x raw'],
      file.data.rows.map((row) => [
        row.op,
        `${row.size / 1024} KiB`,
        row.name,
        num(row.opsPerSec),
        row.ratioToRaw === null ? 'baseline' : times(row.ratioToRaw),
      ]),
      ['l', 'r', 'l', 'r', 'r'],
    ),
  ].join('\n');
}

/**
 * Writes REPORT.md, the SVG charts and summary.json into `dir` from the section files found there.
 * `notesFile`, when it exists, is appended (hand-written profile findings).
 *
 * @example
 * const { markdown, targets } = writeReport('bench/results', readSections('bench/results'), 'bench/PROFILING.md');
 */
export function writeReport(dir: string, sections: Sections, notesFile?: string): ReportFiles {
  const files = [sections.delivery, sections.scale, sections.notifier, sections.signing].filter(
    (file): file is NonNullable<typeof file> => file !== undefined,
  ) as SectionFile[];
  if (files.length === 0) throw new Error(`no section results in ${dir}`);
  const targets = evaluateTargets(sections.delivery?.data, sections.scale?.data, sections.notifier?.data);
  const charts: string[] = [];
  const parts = [
    '# @hooks benchmark report',
    '',
    `${files.some((file) => file.quick) ? 'Quick (smoke) run' : 'Full run'} of \`pnpm bench\` (bench/src/run.ts), ` +
      `sections finished ${files.map((file) => `${file.section} ${file.finishedAt.slice(0, 16).replace('T', ' ')}`).join(', ')} UTC. ` +
      'The figures are in the JSON files beside this report.',
    '',
    '## Targets',
    '',
    table(
      ['target', 'measured', 'required', 'met'],
      targets.map((t) => [
        t.target,
        t.measured === null ? '-' : String(t.measured),
        `${t.comparison} ${t.required}`,
        t.met ? 'yes' : '**no**',
      ]),
      ['l', 'r', 'r', 'l'],
    ),
    '',
    machineSection(files[0]!.machine, files),
  ];
  if (sections.delivery) {
    const groups = [...new Set(sections.delivery.data.map((row) => row.concurrency))].map((concurrency) => ({
      title: `concurrency ${concurrency}`,
      bars: deliveryBars(sections.delivery!.data.filter((row) => row.concurrency === concurrency)),
    }));
    writeFileSync(
      join(dir, 'deliveries.svg'),
      barChart(
        'Deliveries per second, enqueue to delivered (one enqueue per event)',
        'deliveries per second (higher is better)',
        groups,
      ),
    );
    charts.push(join(dir, 'deliveries.svg'));
    parts.push('', deliverySection(sections.delivery));
  }
  if (sections.scale) {
    const series = (['postgres', 'sqlite'] as const).map((store, index) => ({
      name: `@hooks ${store}`,
      color: PALETTE[index === 0 ? 3 : 2],
      points: sections
        .scale!.data.filter((row) => row.store === store)
        .map((row) => ({ x: row.pending, y: row.deliveriesPerSec })),
    }));
    writeFileSync(
      join(dir, 'backlog.svg'),
      lineChart(
        'Claim + deliver throughput vs backlog size',
        'pending rows (log scale)',
        'deliveries per second',
        series.filter((s) => s.points.length > 0),
      ),
    );
    charts.push(join(dir, 'backlog.svg'));
    parts.push('', scaleSection(sections.scale));
  }
  if (sections.notifier) parts.push('', notifierSection(sections.notifier));
  if (sections.signing) parts.push('', signingSection(sections.signing));
  if (notesFile !== undefined && existsSync(notesFile))
    parts.push('', readFileSync(notesFile, 'utf8').trim());
  const markdown = join(dir, 'REPORT.md');
  writeFileSync(markdown, `${parts.join('\n')}\n`);
  const summary = join(dir, 'summary.json');
  writeFileSync(
    summary,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), targets, machine: files[0]!.machine }, null, 2)}\n`,
  );
  return { markdown, charts, summary, targets };
}
