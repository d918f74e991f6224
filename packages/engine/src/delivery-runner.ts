import {
  type AttemptOutcome,
  ConfigurationError,
  type RecordResult,
  settledEvent,
  type WebhookEvent,
} from '@hooks/core';
import { AbortHandle } from './abort-handle.js';
import { type AttemptResult, type AttemptSettings, runAttempt } from './attempt.js';
import type { DiagnosticsCollector } from './diagnostics.js';
import type { ResolvedDispatcherOptions } from './dispatcher-options.js';
import { DISABLED_SKIP_PREFIX, type EndpointHealthTracker } from './endpoint-health.js';
import { NO_TARGET_REASON } from './enqueue-input.js';
import { safeErrorText, silentLogger } from './logger.js';
import type { OutcomeBatcher } from './outcome-batcher.js';

/** How one delivery is made and recorded. */
export interface DeliverOptions {
  /** The worker holding the row's lease. */
  workerId: string;
  /** Aborts the attempt (shutdown); direct deliveries get their own handle, cut by `abortDirect`. */
  abort?: AbortHandle;
  /** Write the outcome with `recordOutcome` now (sync, deliverNow) instead of through the batcher. */
  direct?: boolean;
  /** Called once when the row is done with: its outcome written (or found unwritable), or it was released. */
  onRecorded?: () => void;
}

function errorText(error: unknown, secrets: readonly string[]): string {
  return safeErrorText(error instanceof Error ? error.message : String(error), secrets);
}

/**
 * Delivers one leased row and accounts for it: makes the attempt, records the outcome (fenced), and
 * updates counters, latency figures, recent failures and logs; tells `onSettled` about terminal rows.
 *
 * @example
 * const row = await runner.deliver(leasedRow, { workerId, direct: true });
 */
export class DeliveryRunner {
  /** Abort handles of attempts made outside the pool (sync mode, deliverNow) that are running now. */
  private readonly direct = new Set<AbortHandle>();
  /** Outcomes handed to the batcher and not yet written (or given up on). */
  private unrecorded = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: ResolvedDispatcherOptions,
    private readonly settings: AttemptSettings | undefined,
    private readonly batcher: OutcomeBatcher,
    private readonly diagnostics: DiagnosticsCollector,
    private readonly endpoints?: EndpointHealthTracker,
  ) {}

  /**
   * Makes one attempt for `row` (leased to `options.workerId`) and records it. With `direct`, resolves with
   * the row after the outcome; otherwise resolves once the attempt is made (the outcome is written by the
   * batcher; see `idle`). Undefined when the attempt was aborted (lease released) or the outcome could not
   * be written (the lease will expire and the event will be retried). Throws `ConfigurationError` when nothing
   * can sign the request.
   */
  async deliver(row: WebhookEvent, options: DeliverOptions): Promise<WebhookEvent | undefined> {
    // True once a batched outcome write owns `onRecorded` (it calls it when the write is done).
    let handedOff = false;
    try {
      if (row.targetUrl === null) return await this.settle(row, options, NO_TARGET_REASON);
      let disabled = this.endpoints?.check(row.targetUrl);
      if (disabled instanceof Promise) disabled = await disabled;
      if (disabled !== undefined) return await this.settle(row, options, disabled);
      if (this.settings === undefined) {
        await this.release([row.id], options.workerId);
        throw new ConfigurationError('secret (or scheme) is required to deliver events', {
          details: { field: 'secret' },
        });
      }
      const abort = options.abort ?? new AbortHandle();
      if (options.direct) this.direct.add(abort);
      let result: AttemptResult;
      try {
        result = await runAttempt(row, options.workerId, this.settings, abort);
      } catch (error) {
        await this.release([row.id], options.workerId);
        throw error;
      } finally {
        if (options.direct) this.direct.delete(abort);
      }
      if (result.aborted) {
        await this.release([row.id], options.workerId);
        this.options.logger.debug({ id: row.id }, 'attempt aborted by shutdown; lease released');
        return undefined;
      }
      // A target refused by the SSRF guard is a configuration matter, not a receiver failure: no health record.
      const observed = result.blocked
        ? undefined
        : this.endpoints?.observe(row.targetUrl, result.outcome, options.direct === true);
      this.diagnostics.totals.attempts += 1;
      this.diagnostics.attemptDuration.record(result.durationMs);
      const { outcome, durationMs, blocked } = result;
      if (options.direct) {
        const recording = this.record(outcome, true).then((recorded) => {
          if (recorded === undefined) return undefined;
          this.account(row, outcome, recorded, durationMs, blocked);
          return recorded.event;
        });
        return await (observed === undefined ? recording : observed.then(() => recording));
      }
      // Batched: the caller's slot is free as soon as the HTTP exchange ends; the row stays leased (so no
      // one else can take it) until the batch with its outcome is written. `idle()` waits for these writes.
      this.unrecorded += 1;
      handedOff = true;
      this.batcher.submit(outcome, (recorded, error) => {
        try {
          if (recorded === undefined) this.recordFailed(outcome, error);
          else this.account(row, outcome, recorded, durationMs, blocked);
        } finally {
          this.unrecorded -= 1;
          if (this.unrecorded === 0) this.wakeIdle();
          options.onRecorded?.();
        }
      });
      return undefined;
    } finally {
      if (!handedOff) options.onRecorded?.();
    }
  }

  /** Attempts made outside the pool (sync mode, deliverNow) that are running now. */
  get directInFlight(): number {
    return this.direct.size;
  }

  /** Aborts the attempts made outside the pool (shutdown): their leases are released. */
  abortDirect(): void {
    for (const handle of this.direct) handle.abort('shutdown');
  }

  /** Resolves once every outcome handed to the batcher so far is written and accounted for. */
  idle(): Promise<void> {
    if (this.unrecorded === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Records a row this process will not attempt as `skipped` with `reason` (a dropped hand-off without a
   * scheduler, or a row without a target). The store keeps an attempt record with the reason and no status.
   */
  async settle(
    row: WebhookEvent,
    options: DeliverOptions,
    reason: string,
  ): Promise<WebhookEvent | undefined> {
    const now = this.options.clock();
    const outcome: AttemptOutcome = {
      eventId: row.id,
      workerId: options.workerId,
      attemptNumber: row.attempts + 1,
      attempt: { startedAt: now, finishedAt: now, responseStatus: null, error: reason },
      result: { kind: 'skipped', reason },
    };
    const recorded = await this.record(outcome, options.direct === true);
    if (recorded === undefined) return undefined;
    this.account(row, outcome, recorded, undefined);
    return recorded.event;
  }

  /** True when the row's lease outlives one more attempt (the usual case: no store call needed). */
  leaseIsFresh(row: WebhookEvent): boolean {
    const needed = this.options.timeouts.totalMs + 1000;
    return row.lockedUntil !== null && row.lockedUntil.getTime() - this.options.nowMs() > needed;
  }

  /**
   * Renews the lease of a row that waited in this process until its lease nearly ran out (it must outlive
   * one more attempt); undefined when the row is no longer this worker's (another worker took or settled it).
   */
  async ensureLease(row: WebhookEvent, workerId: string): Promise<WebhookEvent | undefined> {
    if (this.leaseIsFresh(row)) return row;
    const now = this.options.clock().getTime();
    const renewed = await this.options.store.claimById(row.id, {
      workerId,
      leaseMs: this.options.leaseMs,
      now: new Date(now),
    });
    if (renewed === undefined) return undefined;
    if (renewed.attempts !== row.attempts || renewed.replayCount !== row.replayCount) {
      await this.release([row.id], workerId);
      return undefined;
    }
    return renewed;
  }

  /** Gives leases back so the rows are due again now; logs (never throws) when the store fails. */
  async release(ids: readonly string[], workerId: string): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.options.store.releaseLeases(ids, workerId);
    } catch (error) {
      this.diagnostics.totals.storeErrors += 1;
      this.options.logger.warn(
        { count: ids.length, error: errorText(error, this.options.secrets) },
        'could not release leases; they will expire on their own',
      );
    }
  }

  private async record(outcome: AttemptOutcome, direct: boolean): Promise<RecordResult | undefined> {
    try {
      return direct ? await this.options.store.recordOutcome(outcome) : await this.batcher.add(outcome);
    } catch (error) {
      this.recordFailed(outcome, error);
      return undefined;
    }
  }

  /** Counts and logs an outcome the store would not take (the lease will expire and the event will be retried). */
  private recordFailed(outcome: AttemptOutcome, error: unknown): void {
    this.diagnostics.totals.storeErrors += 1;
    this.options.logger.error(
      { id: outcome.eventId, error: errorText(error, this.options.secrets) },
      'could not record the outcome; the lease will expire and the event will be attempted again',
    );
  }

  private account(
    row: WebhookEvent,
    outcome: AttemptOutcome,
    recorded: RecordResult,
    durationMs: number | undefined,
    blocked = false,
  ): void {
    const { logger } = this.options;
    const totals = this.diagnostics.totals;
    if (recorded.applied && outcome.result.kind === 'delivered') {
      totals.delivered += 1;
      this.diagnostics.enqueueToDelivered.record(Date.now() - row.insertedAt.getTime());
      if (logger !== silentLogger)
        logger.debug({ id: row.id, attempt: outcome.attemptNumber, durationMs }, 'event delivered');
      this.settled(row, outcome, recorded);
      return;
    }
    const context = { id: row.id, eventType: row.eventType, attempt: outcome.attemptNumber, durationMs };
    if (!recorded.applied) {
      totals.leaseLosses += 1;
      logger.warn(context, 'outcome refused: the lease was lost to another worker');
      return;
    }
    const result = outcome.result;
    const error = outcome.attempt.error ?? undefined;
    const status = outcome.attempt.responseStatus ?? undefined;
    const at = outcome.attempt.finishedAt;
    if (result.kind === 'retry') {
      totals.retried += 1;
      this.diagnostics.recordFailure(row.id, row.eventType, error ?? 'failed', at);
      logger.warn(
        { ...context, status, error, nextRetryAt: result.nextRetryAt.toISOString() },
        'attempt failed; will retry',
      );
    } else if (result.kind === 'failed') {
      totals.failed += 1;
      this.diagnostics.recordFailure(row.id, row.eventType, error ?? 'failed', at);
      if (blocked) {
        totals.blocked += 1;
        logger.warn({ ...context, error }, 'delivery blocked by the SSRF guard; event failed');
      } else logger.error({ ...context, status, error }, 'event failed: no attempts left');
    } else if (result.kind === 'skipped') {
      totals.skipped += 1;
      this.diagnostics.recordFailure(row.id, row.eventType, result.reason, at);
      // A row to a disabled endpoint is routine once the endpoint's own warning was logged.
      const level = result.reason.startsWith(DISABLED_SKIP_PREFIX) ? 'debug' : 'warn';
      logger[level]({ ...context, status, reason: result.reason }, 'event skipped');
    }
    if (result.kind !== 'retry') this.settled(row, outcome, recorded);
  }

  /**
   * Tells `onSettled` about a row its outcome just settled: the row the store returned (direct writes), or
   * the same row built from the leased row and the outcome (batched writes never read rows back).
   */
  private settled(row: WebhookEvent, outcome: AttemptOutcome, recorded: RecordResult): void {
    if (this.options.onSettled === undefined) return;
    this.notifySettled(recorded.event ?? settledEvent(row, outcome, recorded.recordedAt));
  }

  /** Tells `onSettled` about a terminal row (its errors are logged, never thrown). */
  notifySettled(event: WebhookEvent): void {
    if (this.options.onSettled === undefined) return;
    try {
      this.options.onSettled(event);
    } catch (error) {
      this.options.logger.warn(
        { id: event.id, error: errorText(error, this.options.secrets) },
        'onSettled threw',
      );
    }
  }
}
