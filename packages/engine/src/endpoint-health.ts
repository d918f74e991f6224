import {
  type AttemptOutcome,
  type EndpointHealth,
  type EndpointResult,
  type EndpointResultsReport,
  type EndpointState,
  type ListEndpointsQuery,
  redactEndpointUrl,
  type Unsubscribe,
  type WebhookStore,
} from '@hooks/core';
import type { ResolvedEndpointHealthOptions } from './endpoint-health-options.js';
import { type Logger, safeErrorText } from './logger.js';

/** One endpoint in `diagnostics().endpoints`: never the raw URL (it may hold a credential). */
export interface EndpointDiagnostics {
  /** The target URL without user info, query or fragment. */
  url: string;
  /** `failing` or `disabled` (healthy endpoints are not listed). */
  state: EndpointState;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  /** When the failure streak began (ISO 8601), or null. */
  failingSince: string | null;
  /** When the endpoint was disabled (ISO 8601), or null. */
  disabledAt: string | null;
  /** Why it was disabled, or null. */
  disabledReason: string | null;
}

/** What an `EndpointHealthTracker` needs. */
export interface EndpointHealthContext {
  /** Where endpoint health is kept (shared by every worker on it). */
  readonly store: WebhookStore;
  /** Thresholds and refresh interval. */
  readonly options: ResolvedEndpointHealthOptions;
  /** The engine's notion of now (result times and the time-based threshold). */
  readonly clock: () => Date;
  /** Where to log (already redacting). */
  readonly logger: Logger;
  /** Secret variants kept out of logged store errors. */
  readonly secrets: readonly string[];
  /** Longest wait before batched results are written, in milliseconds. */
  readonly flushMs: number;
  /** Counts a failed store call. */
  readonly onStoreError: () => void;
}

/** How the skip reason of a row to a disabled target begins. */
export const DISABLED_SKIP_PREFIX = 'endpoint disabled since ';

/** The reason a row to a disabled target is settled `skipped` with, e.g. `endpoint disabled since <iso>: 410 Gone`. */
export function disabledSkipReason(endpoint: EndpointHealth): string {
  const since = endpoint.disabledAt?.toISOString() ?? 'unknown';
  return `${DISABLED_SKIP_PREFIX}${since}: ${endpoint.disabledReason ?? 'disabled'}`;
}

/** What one attempt says about its target, or undefined when it says nothing (aborted, not an HTTP attempt). */
function resultOf(url: string, outcome: AttemptOutcome): EndpointResult | undefined {
  const at = outcome.attempt.finishedAt;
  if (outcome.result.kind === 'delivered') return { url, kind: 'success', at };
  if (outcome.attempt.responseStatus === 410) return { url, kind: 'gone', at, error: outcome.attempt.error };
  if (outcome.result.kind === 'retry' || outcome.result.kind === 'failed') {
    return { url, kind: 'failure', at, error: outcome.attempt.error ?? null };
  }
  return undefined;
}

/** Adds one result to a URL's pending entries, collapsing them: at most a success, a failure run and a gone. */
function collapse(entries: EndpointResult[], result: EndpointResult): void {
  const last = entries.at(-1);
  if (result.kind === 'success') entries.splice(0, entries.length, result);
  else if (result.kind === 'failure' && last?.kind === 'failure') {
    last.count = (last.count ?? 1) + 1;
    last.error = result.error ?? last.error;
  } else entries.push(result);
}

/**
 * This process's view of endpoint health, kept in step with the store: checks a target before each attempt
 * (a disabled one gets its row settled `skipped`), and feeds attempt results to `recordEndpointResults`
 * without a store round trip per delivered event: a success is written only for a target known to be
 * failing; results are batched per URL (direct deliveries write at once). A 410 Gone disables the target
 * here at once, before the store write. The disabled set is re-read every `refreshMs`, after this process
 * disables one, and before a row is skipped when a store notification came since the last read (so an
 * enable elsewhere is seen); the first check waits for the first read.
 *
 * @example
 * const reason = await tracker.check(row.targetUrl);
 * if (reason !== undefined) await runner.settle(row, options, reason);
 */
export class EndpointHealthTracker {
  /** Targets that are not healthy, by URL (healthy ones are absent). */
  private readonly known = new Map<string, EndpointHealth>();
  /** URLs this process disabled (410) whose store write has not finished: a refresh keeps them. */
  private readonly local = new Map<string, EndpointHealth>();
  /** When this process last changed its view of a URL (a write's report, an enable): a read older keeps it. */
  private readonly touched = new Map<string, number>();
  private pending = new Map<string, EndpointResult[]>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private refreshing: Promise<void> | undefined;
  private loadedAt: number | undefined;
  private wokeAt = 0;
  private unsubscribe: Unsubscribe | undefined;

  constructor(private readonly context: EndpointHealthContext) {}

  /**
   * The skip reason when `url` is disabled, else undefined: synchronous in the usual case, a promise when
   * the store must be read first (the first check, or a disabled target whose state may have changed).
   */
  check(url: string): string | undefined | Promise<string | undefined> {
    if (this.loadedAt === undefined) return this.refresh().then(() => this.reasonFor(url));
    const stale = performance.now() - this.loadedAt >= this.context.options.refreshMs;
    if (stale) void this.refresh();
    const reason = this.reasonFor(url);
    if (reason === undefined || this.local.has(url) || (!stale && this.wokeAt <= this.loadedAt))
      return reason;
    return this.refresh().then(() => this.reasonFor(url));
  }

  /**
   * Takes one attempt's result into account. Returns a promise (which never rejects) when the result is
   * written now (`direct`), else undefined (written with the next batch, or not at all for a success to a
   * healthy target).
   */
  observe(url: string, outcome: AttemptOutcome, direct: boolean): Promise<void> | undefined {
    const result = resultOf(url, outcome);
    if (result === undefined) return undefined;
    if (result.kind === 'success' && !this.known.has(url) && !this.pending.has(url)) return undefined;
    if (result.kind === 'gone') this.disableHere(url, result.at);
    if (direct) return this.write([result]);
    const entries = this.pending.get(url);
    if (entries === undefined) this.pending.set(url, [result]);
    else collapse(entries, result);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.context.flushMs);
    return undefined;
  }

  /** Writes the batched results now; resolves when every write started so far has finished. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing !== undefined || this.pending.size > 0) {
      if (this.writing !== undefined) {
        await this.writing;
        continue;
      }
      const batch = [...this.pending.values()].flat();
      this.pending = new Map();
      const write = this.write(batch).finally(() => {
        if (this.writing === write) this.writing = undefined;
      });
      this.writing = write;
    }
  }

  /** Re-reads the targets that are not healthy from the store (one read at a time; failures are logged). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const startedAt = performance.now();
      try {
        const listed = await this.context.store.listEndpoints({ state: ['failing', 'disabled'] });
        const fresh = new Map(listed.map((endpoint) => [endpoint.url, endpoint]));
        for (const [url, at] of this.touched) {
          if (at < startedAt) {
            this.touched.delete(url);
            continue;
          }
          const mine = this.known.get(url);
          if (mine === undefined) fresh.delete(url);
          else fresh.set(url, mine);
        }
        for (const [url, endpoint] of this.local) fresh.set(url, endpoint);
        this.known.clear();
        for (const [url, endpoint] of fresh) this.known.set(url, endpoint);
      } catch (error) {
        this.storeFailed(error, 'could not read endpoint health; using what this process knows');
      } finally {
        this.loadedAt = startedAt;
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Notes that the store may have changed elsewhere (a store notification): the next skip re-reads it. */
  wake(): void {
    this.wokeAt = performance.now();
  }

  /** Hears store notifications (while a scheduler runs): they make the next skip decision re-read the store. */
  listen(): void {
    if (this.unsubscribe !== undefined) return;
    try {
      this.unsubscribe = this.context.store.subscribe(() => this.wake());
    } catch {
      // Without notifications the interval refresh still applies.
    }
  }

  /** Stops hearing store notifications. */
  unlisten(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Re-enables a target in the store and here at once; undefined when the store does not know it. */
  async enable(url: string): Promise<EndpointHealth | undefined> {
    const enabled = await this.context.store.enableEndpoint(url, { now: this.context.clock() });
    this.local.delete(url);
    this.known.delete(url);
    this.pending.delete(url);
    this.touched.set(url, performance.now());
    if (enabled !== undefined) {
      this.context.logger.info({ url: redactEndpointUrl(url) }, 'endpoint enabled');
    }
    return enabled;
  }

  /** The endpoints the store lists, refreshing this process's view with the unhealthy ones. */
  async list(query?: ListEndpointsQuery): Promise<EndpointHealth[]> {
    const listed = await this.context.store.listEndpoints(query);
    for (const endpoint of listed) {
      if (endpoint.state === 'healthy') this.known.delete(endpoint.url);
      else if (!this.local.has(endpoint.url)) this.known.set(endpoint.url, endpoint);
    }
    return listed;
  }

  /** The targets this process knows are failing or disabled (refreshed in the background when stale). */
  snapshot(): EndpointDiagnostics[] {
    if (this.loadedAt === undefined || performance.now() - this.loadedAt >= this.context.options.refreshMs) {
      void this.refresh();
    }
    return [...this.known.values()]
      .sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0))
      .map((endpoint) => ({
        url: redactEndpointUrl(endpoint.url),
        state: endpoint.state,
        consecutiveFailures: endpoint.consecutiveFailures,
        failingSince: endpoint.failingSince?.toISOString() ?? null,
        disabledAt: endpoint.disabledAt?.toISOString() ?? null,
        disabledReason: endpoint.disabledReason,
      }));
  }

  /** Writes what is batched and stops listening. */
  async close(): Promise<void> {
    this.unlisten();
    await this.flush();
  }

  private reasonFor(url: string): string | undefined {
    const endpoint = this.known.get(url);
    return endpoint?.state === 'disabled' ? disabledSkipReason(endpoint) : undefined;
  }

  /** A 410 Gone: the target is disabled in this process at once, before the store confirms it. */
  private disableHere(url: string, at: Date): void {
    const current = this.known.get(url);
    if (current?.state === 'disabled') return;
    const endpoint: EndpointHealth = {
      url,
      state: 'disabled',
      consecutiveFailures: (current?.consecutiveFailures ?? 0) + 1,
      failingSince: current?.failingSince ?? at,
      lastFailureAt: at,
      lastSuccessAt: current?.lastSuccessAt ?? null,
      lastError: '410 Gone',
      disabledAt: at,
      disabledReason: '410 Gone',
      updatedAt: at,
    };
    this.local.set(url, endpoint);
    this.known.set(url, endpoint);
    this.touched.set(url, performance.now());
  }

  private async write(results: readonly EndpointResult[]): Promise<void> {
    if (results.length === 0) return;
    const { options, clock } = this.context;
    let report: EndpointResultsReport;
    try {
      report = await this.context.store.recordEndpointResults(results, {
        disableAfterFailures: options.disableAfterFailures,
        disableAfterMs: options.disableAfterMs,
        now: clock(),
      });
    } catch (error) {
      this.storeFailed(error, 'could not record endpoint health; these results are lost');
      for (const result of results) this.local.delete(result.url);
      return;
    }
    const now = performance.now();
    for (const endpoint of report.endpoints) {
      this.touched.set(endpoint.url, now);
      this.local.delete(endpoint.url);
      if (endpoint.state === 'healthy') this.known.delete(endpoint.url);
      else this.known.set(endpoint.url, endpoint);
    }
    for (const endpoint of report.disabled) {
      this.context.logger.warn(
        {
          url: redactEndpointUrl(endpoint.url),
          reason: endpoint.disabledReason,
          consecutiveFailures: endpoint.consecutiveFailures,
        },
        'endpoint disabled: no more attempts to it until it is enabled again',
      );
    }
    if (report.disabled.length > 0) void this.refresh();
  }

  private storeFailed(error: unknown, message: string): void {
    this.context.onStoreError();
    const text = error instanceof Error ? error.message : String(error);
    this.context.logger.warn({ error: safeErrorText(text, this.context.secrets) }, message);
  }
}
