import { DELIVERY_STATUSES, type StatusCounts, type WebhookStore } from '@hooks/core';
import { type CommandIo, OPERATOR_SETTINGS, withStore } from './command-io.js';
import { parseCommandLine } from './command-line.js';
import { formatAge, formatDate, formatFields, formatTable, printJson, wantsJson } from './output.js';

/** Most due rows counted by `stats` (one `listDue` page). */
export const DUE_COUNT_CAP = 1000;

/** What `hooks-worker stats` reports. */
export interface StoreStats {
  /** Rows per status. */
  counts: StatusCounts;
  /** All rows. */
  total: number;
  /** Pending rows due now and not leased (at most `DUE_COUNT_CAP`). */
  dueNow: number;
  /** True when `dueNow` hit the cap (there may be more). */
  dueNowCapped: boolean;
  /** The oldest pending row, or null when none is pending. */
  oldestPending: { id: string; eventType: string; insertedAt: Date; ageSeconds: number } | null;
}

/**
 * Reads the figures a person wants first in an incident: counts by status, how many are due now, and
 * how old the oldest pending event is.
 *
 * @example
 * const stats = await collectStats(store, new Date());
 */
export async function collectStats(store: WebhookStore, now: Date): Promise<StoreStats> {
  const [counts, due, oldest] = await Promise.all([
    store.countByStatus(),
    store.listDue({ now, limit: DUE_COUNT_CAP }),
    store.list({ status: 'pending', order: 'asc', limit: 1 }),
  ]);
  const first = oldest.items[0];
  return {
    counts,
    total: DELIVERY_STATUSES.reduce((sum, status) => sum + counts[status], 0),
    dueNow: due.length,
    dueNowCapped: due.length >= DUE_COUNT_CAP,
    oldestPending:
      first === undefined
        ? null
        : {
            id: first.id,
            eventType: first.eventType,
            insertedAt: first.insertedAt,
            ageSeconds: Math.max(0, Math.floor((now.getTime() - first.insertedAt.getTime()) / 1000)),
          },
  };
}

function renderStats(stats: StoreStats): string {
  const table = formatTable(
    ['status', 'events'],
    [
      ...DELIVERY_STATUSES.map((status) => [status, String(stats.counts[status])]),
      ['total', String(stats.total)],
    ],
  );
  const oldest = stats.oldestPending;
  return `${table}\n${formatFields([
    ['due now', `${stats.dueNow}${stats.dueNowCapped ? '+' : ''}`],
    [
      'oldest pending',
      oldest === null
        ? '-'
        : `${oldest.id} (${oldest.eventType}), inserted ${formatDate(oldest.insertedAt)}, ${formatAge(oldest.ageSeconds * 1000)} ago`,
    ],
  ])}`;
}

/** `hooks-worker stats`: prints the store's figures (a table on a terminal, JSON otherwise). */
export async function statsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(argv, { settings: OPERATOR_SETTINGS, switches: ['json'] }, io);
  const stats = await withStore(line.settings.database, ({ store }) => collectStats(store, new Date()));
  if (wantsJson(line.switches.has('json'), io.stdout)) printJson(stats, io.stdout);
  else io.stdout.write(renderStats(stats));
  return 0;
}
