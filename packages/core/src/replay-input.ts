import { isTerminalStatus, type TerminalStatus } from './delivery-status.js';
import { InvalidInputError } from './errors.js';
import {
  checkDate,
  checkEventId,
  checkInt,
  checkName,
  DEFAULT_MAX_REPLAYS,
  invalid,
  STORE_LIMITS,
  toList,
} from './store-input.js';
import { checkTargetUrl } from './target-url.js';
import type { PruneOptions, ReplayOptions, ReplaySelector } from './webhook-store.js';

/** A replay request checked and normalised. */
export interface NormalisedReplay {
  ids: string[] | null;
  eventTypes: string[] | null;
  /** Exact target URLs to select by, or null for any. */
  targetUrls: string[] | null;
  statuses: TerminalStatus[];
  since: Date | null;
  until: Date | null;
  limit: number;
  maxReplays: number;
  dryRun: boolean;
}

/** The message an unbounded replay is refused with, showing bounded examples. */
export const UNBOUNDED_REPLAY_MESSAGE =
  'replay needs a selector: ids, eventType, targetUrl, or a time range (since/until), and a limit. ' +
  'Examples: { ids: ["evt_..."], limit: 10 }; { eventType: "campaign_status_change", limit: 100 }; ' +
  '{ targetUrl: "https://example.com/hooks", limit: 100 }; ' +
  '{ since: new Date(Date.now() - 3_600_000), limit: 100, dryRun: true }';

/** Checks a selector's `targetUrl` (one URL or a non-empty list of them); null when it is absent. */
function checkTargetUrls(value: ReplaySelector['targetUrl']): string[] | null {
  const urls = toList(value);
  if (urls === null) return null;
  if (urls.length === 0) throw invalid('targetUrl', 'must not be empty');
  const label = (index: number) => (Array.isArray(value) ? `targetUrl[${index}]` : 'targetUrl');
  for (const [index, url] of urls.entries()) checkTargetUrl(url, 'targetUrl', label(index));
  return urls;
}

/** Checks a replay selector and options; refuses an unbounded selector or a missing limit. */
export function normaliseReplay(selector: ReplaySelector, options: ReplayOptions): NormalisedReplay {
  if (typeof selector !== 'object' || selector === null) throw invalid('selector', 'must be an object');
  if (typeof options !== 'object' || options === null || options.limit === undefined) {
    throw new InvalidInputError(`limit is required. ${UNBOUNDED_REPLAY_MESSAGE}`, {
      details: { field: 'limit' },
    });
  }
  const ids = toList(selector.ids);
  if (ids !== null) {
    if (ids.length === 0) throw invalid('ids', 'must not be empty');
    for (const [index, id] of ids.entries()) checkEventId(id, `ids[${index}]`);
  }
  const eventTypes = toList(selector.eventType);
  if (eventTypes !== null && eventTypes.length === 0) throw invalid('eventType', 'must not be empty');
  for (const type of eventTypes ?? []) checkName(type, 'eventType', STORE_LIMITS.maxEventTypeLength);
  const targetUrls = checkTargetUrls(selector.targetUrl);
  const statuses = toList(selector.status) ?? ['failed'];
  if (statuses.length === 0) throw invalid('status', 'must not be empty');
  for (const status of statuses) {
    if (!isTerminalStatus(status))
      throw invalid('status', `must be delivered, failed or skipped; got ${JSON.stringify(status)}`);
  }
  const since = selector.since === undefined ? null : checkDate(selector.since, 'since');
  const until = selector.until === undefined ? null : checkDate(selector.until, 'until');
  if (ids === null && eventTypes === null && targetUrls === null && since === null && until === null) {
    throw new InvalidInputError(`Refusing an unbounded replay. ${UNBOUNDED_REPLAY_MESSAGE}`, {
      details: { field: 'selector' },
    });
  }
  return {
    ids,
    eventTypes,
    targetUrls,
    statuses: statuses as TerminalStatus[],
    since,
    until,
    limit: checkInt(options.limit, 'limit', 1, STORE_LIMITS.maxReplayLimit),
    maxReplays:
      options.maxReplays === undefined
        ? DEFAULT_MAX_REPLAYS
        : checkInt(options.maxReplays, 'maxReplays', 0, 1000),
    dryRun: options.dryRun === true,
  };
}

/** Checks prune options; returns the statuses to prune. */
export function normalisePrune(options: PruneOptions): { olderThan: Date; statuses: TerminalStatus[] } {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
  const olderThan = checkDate(options.olderThan, 'olderThan');
  const statuses = options.statuses === undefined ? ['delivered' as const] : [...options.statuses];
  for (const status of statuses) {
    if (!isTerminalStatus(status))
      throw invalid('statuses', `must list terminal statuses only; got ${JSON.stringify(status)}`);
  }
  return { olderThan, statuses };
}
