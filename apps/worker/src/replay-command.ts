import {
  InvalidInputError,
  normaliseReplay,
  type ReplayCandidate,
  type ReplayReport,
  type ReplaySelector,
  STORE_LIMITS,
  type TerminalStatus,
  type WebhookStore,
} from '@hooks/core';
import { type CommandIo, OPERATOR_SETTINGS, withStore } from './command-io.js';
import { parseCommandLine } from './command-line.js';
import { formatDate, formatTable, printJson, wantsJson } from './output.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';
import { parseTimeInput } from './time-input.js';

/** Events reset per transaction when a replay runs (the progress bar advances per chunk). */
export const REPLAY_CHUNK = 200;

/** Most candidates listed in the terminal table (JSON lists them all). */
const TABLE_ROWS = 50;

const QUIET: ProgressBar = Object.freeze({ update: () => undefined, finish: () => undefined });

const CLI_EXAMPLES =
  'On the command line: hooks-worker replay --type campaign_status_change --since 1h --limit 100 --dry-run, ' +
  'hooks-worker replay --target-url https://receiver.example.com/hooks --limit 100 --dry-run, ' +
  'or hooks-worker replay --ids evt_01J...,evt_01K... --limit 10';

/** A replay request read from the command line. */
export interface ReplayRequest {
  /** Which rows. */
  selector: ReplaySelector;
  /** The bound and the cap. */
  options: { limit: number; maxReplays?: number; dryRun: boolean };
}

function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function integer(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(
      `${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 60))}`,
      {
        details: { field: flag },
      },
    );
  }
  return value;
}

/**
 * Builds the replay selector and options from the flags (and the `--target-url` values, each one whole URL:
 * a URL may hold a comma) and checks them with `@hooks/core`'s `normaliseReplay`, so an unbounded selector
 * is refused with the core message (plus CLI examples) and a bad URL is refused naming `targetUrl`.
 *
 * @example
 * readReplayRequest({ type: 'order.paid', since: '1h', limit: '100' }, false, new Date());
 * readReplayRequest({ limit: '100' }, true, new Date(), ['https://receiver.example.com/hooks']);
 */
export function readReplayRequest(
  flags: Readonly<Record<string, string>>,
  dryRun: boolean,
  now: Date,
  targetUrls: readonly string[] = [],
): ReplayRequest {
  const selector: ReplaySelector = {};
  const ids = list(flags['ids']);
  if (ids !== undefined) selector.ids = ids;
  const types = list(flags['type']);
  if (types !== undefined) selector.eventType = types;
  if (targetUrls.length > 0) selector.targetUrl = targetUrls.length === 1 ? targetUrls[0] : [...targetUrls];
  const statuses = list(flags['status']);
  if (statuses !== undefined) selector.status = statuses as TerminalStatus[];
  if (flags['since'] !== undefined) selector.since = parseTimeInput(flags['since'], '--since', now);
  if (flags['until'] !== undefined) selector.until = parseTimeInput(flags['until'], '--until', now);
  const limit = integer(flags['limit'], '--limit', 1, STORE_LIMITS.maxReplayLimit);
  const maxReplays = integer(flags['max-replays'], '--max-replays', 0, 1000);
  const options = { limit: limit as number, dryRun, ...(maxReplays === undefined ? {} : { maxReplays }) };
  try {
    normaliseReplay(selector, options);
  } catch (error) {
    const field = InvalidInputError.isInstance(error) ? error.details?.field : undefined;
    if (field === 'selector' || field === 'limit') {
      throw new InvalidInputError(`${(error as Error).message} ${CLI_EXAMPLES}`, {
        cause: error,
        details: { field },
      });
    }
    throw error;
  }
  return { selector, options };
}

/**
 * Runs a replay: a dry run lists the candidates; otherwise the eligible candidates are reset in chunks of
 * `REPLAY_CHUNK` ids (each chunk one transaction), re-checked by the store (status and replay cap).
 *
 * @example
 * const report = await runReplay(store, request);
 */
export async function runReplay(
  store: WebhookStore,
  request: ReplayRequest,
  progress: (total: number) => ProgressBar = () => QUIET,
): Promise<ReplayReport> {
  const listed = await store.replay(request.selector, { ...request.options, dryRun: true });
  if (request.options.dryRun) return listed;
  const eligible = listed.candidates
    .filter((candidate) => candidate.eligible)
    .map((candidate) => candidate.id);
  const bar = progress(eligible.length);
  let replayed = 0;
  let refused = listed.skippedForCap;
  try {
    for (let start = 0; start < eligible.length; start += REPLAY_CHUNK) {
      const ids = eligible.slice(start, start + REPLAY_CHUNK);
      const done = await store.replay(
        { ids, status: request.selector.status ?? 'failed' },
        { limit: ids.length, maxReplays: request.options.maxReplays, dryRun: false },
      );
      replayed += done.replayed;
      refused += done.skippedForCap;
      bar.update(start + ids.length);
    }
  } finally {
    bar.finish();
  }
  return { ...listed, dryRun: false, replayed, skippedForCap: refused };
}

function renderReport(report: ReplayReport): string {
  const head = report.dryRun
    ? `dry run: ${report.matched} matched, ${report.eligible} would be replayed, ${report.skippedForCap} refused by the replay cap (nothing changed)\n`
    : `${report.replayed} replayed, ${report.matched} matched, ${report.skippedForCap} refused by the replay cap\n`;
  if (report.candidates.length === 0) return head;
  const rows = report.candidates
    .slice(0, TABLE_ROWS)
    .map((candidate: ReplayCandidate) => [
      candidate.id,
      candidate.eventType,
      candidate.status,
      String(candidate.replayCount),
      formatDate(candidate.insertedAt),
      candidate.eligible ? 'yes' : 'no (cap)',
    ]);
  const more =
    report.candidates.length > TABLE_ROWS
      ? `... and ${report.candidates.length - TABLE_ROWS} more (--json lists them all)\n`
      : '';
  return `${head}\n${formatTable(['id', 'type', 'status', 'replays', 'inserted', 'eligible'], rows)}${more}`;
}

/** `hooks-worker replay`: resets a bounded selection of terminal events to pending (or lists it). */
export async function replayCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(
    argv,
    {
      settings: OPERATOR_SETTINGS,
      options: ['ids', 'type', 'since', 'until', 'status', 'limit', 'max-replays'],
      repeatable: ['target-url'],
      switches: ['dry-run', 'json'],
    },
    io,
  );
  const request = readReplayRequest(
    line.options,
    line.switches.has('dry-run'),
    new Date(),
    line.lists['target-url'],
  );
  const json = wantsJson(line.switches.has('json'), io.stdout);
  // The bar is for a person at a terminal; piped (JSON) output stays quiet.
  const report = await withStore(line.settings.database, ({ store }) =>
    runReplay(store, request, (total) => (json ? QUIET : createProgressBar('replaying', total, io.stderr))),
  );
  if (json) printJson(report, io.stdout);
  else io.stdout.write(renderReport(report));
  return 0;
}
