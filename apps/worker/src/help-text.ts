import { formatHelp, SHARED_SETTINGS } from '@hooks/app-shared';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { WORKER_SETTINGS } from './worker-settings.js';

/** The commands of `hooks-worker`. */
export const COMMANDS = ['run', 'replay', 'inspect', 'stats', 'endpoints'] as const;

/** A command name. */
export type CommandName = (typeof COMMANDS)[number];

const DATABASE_LINE =
  '  --database-url <url>   HOOKS_DATABASE_URL: sqlite:<path>, a file path, or postgres://...[?schema=name] (default sqlite:./.data/hooks.sqlite)';

/** `hooks-worker --help`. */
export const MAIN_HELP = [
  'Usage: hooks-worker <command> [flags]',
  '',
  'Commands:',
  '  run                 deliver due webhook events from the store until stopped (SIGTERM/SIGINT)',
  '  replay              reset terminal events matching a bounded selector to pending',
  '  inspect <id>        show one event and every delivery attempt',
  '  stats               counts by status, events due now, age of the oldest pending event',
  '  endpoints [enable]  list failing and disabled webhook targets; re-enable one',
  '',
  'Run `hooks-worker <command> --help` for the flags of a command.',
  '',
  EXIT_CODES_HELP,
  '',
].join('\n');

const RUN_HELP = [
  formatHelp('hooks-worker run', { ...SHARED_SETTINGS, ...WORKER_SETTINGS }).trimEnd(),
  '',
  'Durations take a unit: 500ms, 10s, 2m, 1h. The first SIGTERM/SIGINT stops claiming, lets in-flight',
  'attempts finish within --shutdown-timeout (the rest are cut and their leases released) and exits 0;',
  'a second signal exits at once with 130.',
  '',
  EXIT_CODES_HELP,
  '',
].join('\n');

const REPLAY_HELP = [
  'Usage: hooks-worker replay <selector> --limit <n> [--dry-run] [--json]',
  '',
  'Resets terminal events to pending so the workers deliver them again. The selector must be bounded:',
  'at least one of --ids, --type, --target-url, --since or --until, and --limit.',
  '',
  '  --ids <a,b,...>        exactly these event ids',
  '  --type <t1,t2,...>     events of these types',
  '  --target-url <url>     events sent to exactly this URL (one receiver); repeat the flag for several',
  '  --since <when>         inserted at or after: a duration back from now (90s, 15m, 1h, 2d) or an ISO time',
  '  --until <when>         inserted before (same forms)',
  '  --status <s1,s2>       terminal statuses to select: failed, delivered, skipped (default failed)',
  '  --limit <n>            required: at most this many events are considered (1 to 10000)',
  '  --max-replays <n>      refuse events already replayed n times (default 5)',
  '  --dry-run              list the candidates, change nothing',
  '  --json                 JSON on stdout (the default when stdout is not a terminal)',
  DATABASE_LINE,
  '',
  'Examples:',
  '  hooks-worker replay --type campaign_status_change --since 1h --limit 100 --dry-run',
  '  hooks-worker replay --ids evt_01J...,evt_01K... --limit 10',
  '  hooks-worker replay --target-url https://receiver.example.com/hooks --since 2h --limit 1000 --dry-run',
  '',
  EXIT_CODES_HELP,
  '',
].join('\n');

/** The help of a read-only operator command: usage, what it shows, `--json`, the database and exit codes. */
function readCommandHelp(usage: string, summary: string): string {
  return [
    `Usage: ${usage}`,
    '',
    summary,
    '',
    '  --json                 JSON on stdout (the default when stdout is not a terminal)',
    DATABASE_LINE,
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}

const INSPECT_HELP = readCommandHelp(
  'hooks-worker inspect <id> [--json]',
  'Shows one event row and every delivery attempt (status, duration, error, response excerpt).',
);

const STATS_HELP = readCommandHelp(
  'hooks-worker stats [--json]',
  'Counts events by status, counts the events due now (up to 1000), and shows the oldest pending event.',
);

const ENDPOINTS_HELP = [
  'Usage: hooks-worker endpoints [--state <s1,s2>] [--json]',
  '       hooks-worker endpoints enable <url> [--json]',
  '',
  'Lists endpoint health: every webhook target with a failure on record, its state (healthy, failing,',
  'disabled), consecutive failed attempts, and why it was disabled (410 Gone, --disable-after-failures,',
  '--disable-after). URLs are shown without user info or query. `enable` re-enables a target (the full URL,',
  'or the URL as listed when only one target shows that way); running workers notice at once on PostgreSQL',
  'and within 5 s on SQLite. Events skipped meanwhile stay skipped: replay them (the command prints how).',
  '',
  '  --state <s1,s2>        only targets in these states: healthy, failing, disabled',
  '  --json                 JSON on stdout (the default when stdout is not a terminal)',
  DATABASE_LINE,
  '',
  EXIT_CODES_HELP,
  '',
].join('\n');

/** The `--help` text of each command. */
export const COMMAND_HELP: Readonly<Record<CommandName, string>> = Object.freeze({
  run: RUN_HELP,
  replay: REPLAY_HELP,
  inspect: INSPECT_HELP,
  stats: STATS_HELP,
  endpoints: ENDPOINTS_HELP,
});

/** True for a known command name. */
export function isCommandName(value: string | undefined): value is CommandName {
  return (COMMANDS as readonly (string | undefined)[]).includes(value);
}
