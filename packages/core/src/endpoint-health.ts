import { truncateUtf8 } from './json.js';
import { checkDate, checkInt, invalid, STORE_LIMITS, toList } from './store-input.js';

/** The states an endpoint (a target URL) can be in: no failure streak, failing, or disabled. */
export const ENDPOINT_STATES = Object.freeze(['healthy', 'failing', 'disabled'] as const);

/** One of `ENDPOINT_STATES`. */
export type EndpointState = (typeof ENDPOINT_STATES)[number];

/** What a store remembers about one endpoint, keyed by its exact target URL. */
export interface EndpointHealth {
  /** The target URL (the key; may carry credentials: show it through `redactEndpointUrl`). */
  readonly url: string;
  /** `disabled` when `disabledAt` is set, else `failing` while `consecutiveFailures > 0`, else `healthy`. */
  readonly state: EndpointState;
  /** Failed attempts since the last success (or since the endpoint was enabled). */
  readonly consecutiveFailures: number;
  /** When the current failure streak began; null while healthy. */
  readonly failingSince: Date | null;
  /** When the last failed attempt finished. */
  readonly lastFailureAt: Date | null;
  /** When the last reported success finished. */
  readonly lastSuccessAt: Date | null;
  /** Why the last attempt failed (never contains a secret). */
  readonly lastError: string | null;
  /** When the endpoint was disabled; null while it is enabled. */
  readonly disabledAt: Date | null;
  /** Why it was disabled (`410 Gone`, `20 consecutive failed attempts`, ...); null while enabled. */
  readonly disabledReason: string | null;
  /** When the row last changed. */
  readonly updatedAt: Date;
}

/** What attempts to one endpoint did: the engine reports them per batch, oldest first. */
export interface EndpointResult {
  /** The target URL the attempts went to. */
  url: string;
  /** `success` (2xx), `failure` (any other failed attempt) or `gone` (410 Gone: disables at once). */
  kind: 'success' | 'failure' | 'gone';
  /** For `failure`: how many consecutive failed attempts this entry stands for (default 1). */
  count?: number;
  /** When the (first) attempt of this entry finished. */
  at: Date;
  /** Why it failed (secret-free; capped by the store). */
  error?: string | null;
}

/** When `recordEndpointResults` disables an endpoint besides 410 Gone. Both are off when absent. */
export interface EndpointHealthPolicy {
  /** Disable after this many consecutive failed attempts (1 to 1,000,000). */
  disableAfterFailures?: number | null;
  /** Disable once the failure streak has lasted this long, in milliseconds (1 ms to 365 days). */
  disableAfterMs?: number | null;
  /** The time the streak is measured at and `disabledAt` is set to; default the store's clock. */
  now?: Date;
}

/** What `recordEndpointResults` did. */
export interface EndpointResultsReport {
  /** Every endpoint the results named, as it is now (healthy endpoints the store did not keep included). */
  endpoints: EndpointHealth[];
  /** The endpoints these results disabled (a subset of `endpoints`). */
  disabled: EndpointHealth[];
}

/** Options of `WebhookStore.listEndpoints`. */
export interface ListEndpointsQuery {
  /** Only endpoints in this state (or any of these). */
  state?: EndpointState | readonly EndpointState[];
  /** At most this many (1 to 1000), ordered by URL; default 1000. */
  limit?: number;
}

/** Options of `WebhookStore.enableEndpoint`. */
export interface EnableEndpointOptions {
  /** The time recorded as `updatedAt`; default the store's clock. */
  now?: Date;
}

/** A result checked and normalised by `prepareEndpointResults`. */
export interface PreparedEndpointResult {
  url: string;
  kind: 'success' | 'failure' | 'gone';
  count: number;
  at: Date;
  error: string | null;
}

/** A policy checked by `checkEndpointPolicy`. */
export interface NormalisedEndpointPolicy {
  disableAfterFailures: number | null;
  disableAfterMs: number | null;
}

/** The longest stored endpoint URL, in characters. */
const MAX_URL_LENGTH = 4096;
/** The longest stored endpoint error, in bytes. */
const MAX_ERROR_BYTES = 1024;
/** The reason an endpoint disabled by 410 Gone carries. */
export const GONE_DISABLED_REASON = '410 Gone';

/** Checks an endpoint URL (an absolute http or https URL; the URL itself is never echoed). */
export function checkEndpointUrl(value: unknown, field = 'url'): string {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || !URL.canParse(value)) {
    throw invalid(field, `must be an absolute http or https URL of at most ${MAX_URL_LENGTH} characters`);
  }
  const protocol = new URL(value).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') throw invalid(field, 'must be an http or https URL');
  return value;
}

/** Checks the results of `recordEndpointResults` and groups them by URL, keeping their order. */
export function prepareEndpointResults(results: unknown): Map<string, PreparedEndpointResult[]> {
  if (!Array.isArray(results)) throw invalid('results', 'must be an array');
  if (results.length > STORE_LIMITS.maxBatchSize) {
    throw invalid('results', `must hold at most ${STORE_LIMITS.maxBatchSize} entries, got ${results.length}`);
  }
  const grouped = new Map<string, PreparedEndpointResult[]>();
  for (const [index, result] of (results as unknown[]).entries()) {
    const prepared = prepareOne(result as EndpointResult, `results[${index}]`);
    const list = grouped.get(prepared.url);
    if (list === undefined) grouped.set(prepared.url, [prepared]);
    else list.push(prepared);
  }
  return grouped;
}

function prepareOne(result: EndpointResult, field: string): PreparedEndpointResult {
  if (typeof result !== 'object' || result === null) throw invalid(field, 'must be an object');
  const url = checkEndpointUrl(result.url, `${field}.url`);
  const kind = result.kind;
  if (kind !== 'success' && kind !== 'failure' && kind !== 'gone') {
    throw invalid(`${field}.kind`, 'must be success, failure or gone');
  }
  const count =
    result.count === undefined || kind !== 'failure'
      ? 1
      : checkInt(result.count, `${field}.count`, 1, 1_000_000);
  const at = new Date(checkDate(result.at, `${field}.at`).getTime());
  let error: string | null = null;
  if (result.error !== undefined && result.error !== null) {
    if (typeof result.error !== 'string') throw invalid(`${field}.error`, 'must be a string');
    error = truncateUtf8(result.error, MAX_ERROR_BYTES);
  }
  return { url, kind, count, at, error };
}

/** Checks a policy; absent or null thresholds are off. */
export function checkEndpointPolicy(policy: unknown): NormalisedEndpointPolicy {
  if (policy === undefined) return { disableAfterFailures: null, disableAfterMs: null };
  if (typeof policy !== 'object' || policy === null) throw invalid('policy', 'must be an object');
  const input = policy as EndpointHealthPolicy;
  if (input.now !== undefined) checkDate(input.now, 'policy.now');
  return {
    disableAfterFailures:
      input.disableAfterFailures === undefined || input.disableAfterFailures === null
        ? null
        : checkInt(input.disableAfterFailures, 'policy.disableAfterFailures', 1, 1_000_000),
    disableAfterMs:
      input.disableAfterMs === undefined || input.disableAfterMs === null
        ? null
        : checkInt(input.disableAfterMs, 'policy.disableAfterMs', 1, 365 * 24 * 3_600_000),
  };
}

/**
 * Checks the arguments of `recordEndpointResults`: the results grouped by URL, the policy, and the time they
 * are applied at (`policy.now`, else `now()`).
 */
export function prepareEndpointRecording(
  results: unknown,
  policy: unknown,
  now: () => Date,
): { grouped: Map<string, PreparedEndpointResult[]>; policy: NormalisedEndpointPolicy; now: Date } {
  const grouped = prepareEndpointResults(results);
  const checked = checkEndpointPolicy(policy);
  const at = (policy as EndpointHealthPolicy | undefined)?.now;
  return { grouped, policy: checked, now: at === undefined ? now() : new Date(at.getTime()) };
}

/** Checks the arguments of `enableEndpoint`; returns the time it is applied at (`options.now`, else `now()`). */
export function prepareEndpointEnable(url: unknown, options: unknown, now: () => Date): Date {
  checkEndpointUrl(url);
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
  const at = (options as EnableEndpointOptions).now;
  return at === undefined ? now() : new Date(checkDate(at, 'now').getTime());
}

/** Checks a `listEndpoints` query; returns the states asked for (null = all) and the limit. */
export function normaliseEndpointQuery(query: ListEndpointsQuery = {}): {
  states: EndpointState[] | null;
  limit: number;
} {
  if (typeof query !== 'object' || query === null) throw invalid('query', 'must be an object');
  const states = toList(query.state);
  for (const state of states ?? []) {
    if (!ENDPOINT_STATES.includes(state)) {
      throw invalid('state', `must be one of ${ENDPOINT_STATES.join(', ')}; got ${JSON.stringify(state)}`);
    }
  }
  const limit =
    query.limit === undefined
      ? STORE_LIMITS.maxPageSize
      : checkInt(query.limit, 'limit', 1, STORE_LIMITS.maxPageSize);
  return { states, limit };
}

/** An endpoint's state from its stored fields. */
export function endpointStateOf(fields: {
  disabledAt: Date | null;
  consecutiveFailures: number;
}): EndpointState {
  if (fields.disabledAt !== null) return 'disabled';
  return fields.consecutiveFailures > 0 ? 'failing' : 'healthy';
}

/** A healthy endpoint with no history (what a store returns for a URL it does not keep). */
export function newEndpointHealth(url: string, now: Date): EndpointHealth {
  return {
    url,
    state: 'healthy',
    consecutiveFailures: 0,
    failingSince: null,
    lastFailureAt: null,
    lastSuccessAt: null,
    lastError: null,
    disabledAt: null,
    disabledReason: null,
    updatedAt: now,
  };
}

/** What applying results to one endpoint did. */
export interface EndpointFold {
  /** The endpoint after the results. */
  next: EndpointHealth;
  /** True when anything changed (the store writes `next`). */
  changed: boolean;
  /** True when these results disabled it. */
  disabled: boolean;
}

/**
 * Applies one endpoint's results in order (the one rule every store shares): a disabled endpoint ignores
 * them (only `enableEndpoint` changes it); a success ends the failure streak; a failure extends it (the
 * first one starts it); `gone` counts as a failure and disables at once. After all results, a streak that
 * reached `disableAfterFailures`, or has lasted `disableAfterMs` by `now`, disables the endpoint.
 *
 * @example
 * const { next, disabled } = foldEndpointResults(current, results, checkEndpointPolicy(policy), new Date());
 */
export function foldEndpointResults(
  current: EndpointHealth,
  results: readonly PreparedEndpointResult[],
  policy: NormalisedEndpointPolicy,
  now: Date,
): EndpointFold {
  if (current.disabledAt !== null || results.length === 0)
    return { next: current, changed: false, disabled: false };
  let failures = current.consecutiveFailures;
  let failingSince = current.failingSince;
  let lastFailureAt = current.lastFailureAt;
  let lastSuccessAt = current.lastSuccessAt;
  let lastError = current.lastError;
  let reason: string | null = null;
  for (const result of results) {
    if (result.kind === 'success') {
      failures = 0;
      failingSince = null;
      lastSuccessAt = result.at;
      continue;
    }
    if (failures === 0) failingSince = result.at;
    failures += result.count;
    lastFailureAt = result.at;
    lastError = result.error ?? (result.kind === 'gone' ? GONE_DISABLED_REASON : lastError);
    if (result.kind === 'gone') {
      reason = GONE_DISABLED_REASON;
      break;
    }
  }
  if (reason === null && failures > 0) {
    if (policy.disableAfterFailures !== null && failures >= policy.disableAfterFailures) {
      reason = `${failures} consecutive failed attempts`;
    } else if (
      policy.disableAfterMs !== null &&
      failingSince !== null &&
      now.getTime() - failingSince.getTime() >= policy.disableAfterMs
    ) {
      reason = `failing continuously since ${failingSince.toISOString()}`;
    }
  }
  const disabledAt = reason === null ? null : now;
  const next: EndpointHealth = {
    url: current.url,
    state: endpointStateOf({ disabledAt, consecutiveFailures: failures }),
    consecutiveFailures: failures,
    failingSince,
    lastFailureAt,
    lastSuccessAt,
    lastError,
    disabledAt,
    disabledReason: reason,
    updatedAt: now,
  };
  return { next, changed: true, disabled: reason !== null };
}

/** The endpoint after an explicit enable: no streak, not disabled (history times kept). */
export function enabledEndpoint(current: EndpointHealth, now: Date): EndpointHealth {
  return {
    ...current,
    state: 'healthy',
    consecutiveFailures: 0,
    failingSince: null,
    disabledAt: null,
    disabledReason: null,
    updatedAt: now,
  };
}

/**
 * An endpoint URL fit to show (logs, diagnostics, dashboards): user name, password, query and fragment
 * removed (`?…` marks a removed query), since any of them may hold a credential.
 *
 * @example
 * redactEndpointUrl('https://user:pw@example.com/hook?token=abc'); // 'https://example.com/hook?…'
 */
export function redactEndpointUrl(url: string): string {
  if (!URL.canParse(url)) return '(invalid URL)';
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search === '' ? '' : '?…'}`;
}
