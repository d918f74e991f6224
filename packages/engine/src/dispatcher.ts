import {
  ConfigurationError,
  checkEventId,
  HooksError,
  type InsertResult,
  InvalidInputError,
  type ListEndpointsQuery,
  NotFoundError,
  type ReplayReport,
  type ReplaySelector,
  STORE_LIMITS,
  type WebhookEvent,
} from '@hooks/core';
import type { AbortHandle } from './abort-handle.js';
import { createAttemptSettings } from './attempt.js';
import { BoundedQueue } from './bounded-queue.js';
import { DeliveryPool } from './delivery-pool.js';
import { DeliveryRunner } from './delivery-runner.js';
import { DiagnosticsCollector, type DispatcherDiagnostics } from './diagnostics.js';
import type { Dispatcher, DispatcherReplayOptions } from './dispatcher-api.js';
import { type DispatcherOptions, resolveDispatcherOptions } from './dispatcher-options.js';
import { type DispatcherTransaction, runDispatcherTransaction } from './dispatcher-transaction.js';
import { EndpointHealthTracker } from './endpoint-health.js';
import { ClosedError } from './engine-errors.js';
import {
  type EnqueueItem,
  type EnqueueOptions,
  type PreparedEnqueue,
  prepareEnqueue,
} from './enqueue-input.js';
import { createHttpClient } from './http-client.js';
import { InsertBatcher } from './insert-batcher.js';
import { safeErrorText } from './logger.js';
import { OutcomeBatcher } from './outcome-batcher.js';
import { QueueHandoff } from './queue-handoff.js';
import { Scheduler, type StopOptions } from './scheduler.js';
import { withDeadline } from './with-deadline.js';
import { NO_ORIGIN, type WorkItem } from './work-item.js';

/**
 * Creates a dispatcher. With no `store` it keeps events in memory (`@hooks/store-memory`).
 *
 * @example
 * const dispatcher = createDispatcher({ targetUrl: 'https://example.com/hooks', secret: process.env.WEBHOOK_SECRET });
 * dispatcher.start();
 * const event = await dispatcher.enqueue('order.paid', { orderId: 42 });
 * console.log(event.id, dispatcher.diagnostics().totals.delivered);
 * await dispatcher.close();
 */
export function createDispatcher(input: DispatcherOptions = {}): Dispatcher {
  const options = resolveDispatcherOptions(input);
  const { store, workerId, logger, clock } = options;
  const nowWorkerId = `${workerId}:now`;
  const diagnostics = new DiagnosticsCollector();
  const client = createHttpClient({
    timeouts: options.timeouts,
    perOriginConcurrency: options.perOriginConcurrency,
    maxReadBytes: Math.max(options.maxResponseReadBytes, options.maxResponseBodyBytes),
    dispatcher: options.httpDispatcher,
    ssrfGuard: options.ssrfGuard,
  });
  const onStoreError = (): void => {
    diagnostics.totals.storeErrors += 1;
  };
  const batcher = new OutcomeBatcher({
    store,
    maxBatch: options.scheduler.outcomeBatchSize,
    flushMs: options.scheduler.outcomeFlushMs,
    onStoreError: (error, willRetry) =>
      logger.warn(
        { error: safeErrorText(String(error), options.secrets), willRetry },
        'could not write outcomes',
      ),
  });
  const settings = createAttemptSettings(options, client);
  const inserter = new InsertBatcher({ store });
  const endpoints = new EndpointHealthTracker({
    store,
    options: options.endpointHealth,
    clock,
    logger,
    secrets: options.secrets,
    flushMs: options.scheduler.outcomeFlushMs,
    onStoreError,
  });
  const runner = new DeliveryRunner(options, settings, batcher, diagnostics, endpoints);
  const queue = new BoundedQueue<WorkItem>(options.queue);
  const pool = new DeliveryPool<WorkItem>(
    options.concurrency,
    client.origins,
    (item) => item.origin,
    runItem,
  );
  const scheduler = new Scheduler({
    store,
    workerId,
    leaseMs: options.leaseMs,
    batchSize: options.scheduler.batchSize,
    pollIntervalMs: options.scheduler.pollIntervalMs,
    maxBackoffMs: options.scheduler.maxBackoffMs,
    clock,
    logger,
    pool,
    toItem: (row) => toItem(row, 'scheduler'),
    release: (ids) => runner.release(ids, workerId),
    onStoreError,
    outcomesWritten: () => runner.idle(),
    outcomeBatchSize: options.scheduler.outcomeBatchSize,
  });
  pool.addSource(queue);
  pool.addSource(scheduler);
  const handoff = new QueueHandoff({
    options,
    queue,
    pool,
    runner,
    diagnostics,
    scheduler,
    toItem: (row) => toItem(row, 'handoff'),
  });
  let closing: Promise<void> | undefined;

  function toItem(row: WebhookEvent, source: WorkItem['source']): WorkItem {
    const origin = row.targetUrl === null ? NO_ORIGIN : client.originOf(row.targetUrl);
    return { row, origin, source };
  }

  function assertOpen(): void {
    if (closing !== undefined) throw new ClosedError('the dispatcher is closed');
  }

  async function runItem(item: WorkItem, abort: AbortHandle): Promise<void> {
    // A scheduler item stays outstanding until its outcome is written (the pool slot frees earlier).
    const onRecorded = item.source === 'scheduler' ? () => scheduler.finished(item) : undefined;
    let handedOver = false;
    try {
      const row = runner.leaseIsFresh(item.row) ? item.row : await runner.ensureLease(item.row, workerId);
      if (row === undefined) {
        logger.debug({ id: item.row.id }, 'hand-off skipped: the row is no longer leased to this worker');
        return;
      }
      handedOver = true;
      await runner.deliver(row, { workerId, abort, onRecorded });
    } catch (error) {
      logger.error(
        { id: item.row.id, error: safeErrorText(String(error), options.secrets) },
        'delivery failed to run',
      );
    } finally {
      if (!handedOver) onRecorded?.();
    }
  }

  /** Hands one inserted row to delivery; every attempt serialises the stored payload, so retries send the same bytes. */
  async function afterInsert(event: WebhookEvent, created: boolean): Promise<WebhookEvent> {
    if (!created) return event;
    diagnostics.totals.enqueued += 1;
    if (event.status === 'skipped') {
      diagnostics.totals.skipped += 1;
      runner.notifySettled(event);
      return event;
    }
    if (event.lockedBy !== workerId) {
      scheduler.wake();
      return event;
    }
    if (options.deliveryMode === 'sync') {
      const delivered = await runner.deliver(event, { workerId, direct: true });
      return delivered ?? (await store.get(event.id)) ?? event;
    }
    return handoff.offer(event);
  }

  function prepare(
    eventType: unknown,
    payload: unknown,
    opts: EnqueueOptions | undefined,
    prefix = '',
  ): PreparedEnqueue {
    try {
      return prepareEnqueue(
        eventType,
        payload,
        opts,
        {
          targetUrl: options.targetUrl,
          maxAttempts: options.maxAttempts,
          maxPayloadBytes: options.maxPayloadBytes,
          canSign: settings !== undefined,
          workerId: options.deliveryMode === 'deferred' ? null : workerId,
          leaseMs: options.leaseMs,
          nowMs: options.nowMs(),
        },
        prefix,
      );
    } catch (error) {
      throw refused(error);
    }
  }

  /** Counts and logs an enqueue refused for invalid input (by the engine or by the store); returns it. */
  function refused(error: unknown): unknown {
    if (InvalidInputError.isInstance(error)) {
      diagnostics.totals.invalidInput += 1;
      logger.warn({ field: error.details?.field, error: error.message }, 'enqueue refused: invalid input');
    }
    return error;
  }

  async function enqueue(eventType: string, payload: unknown, opts?: EnqueueOptions): Promise<WebhookEvent> {
    assertOpen();
    const prepared = prepare(eventType, payload, opts);
    const { event, created } = await inserter.add(prepared.event).catch((error: unknown) => {
      throw refused(error);
    });
    return afterInsert(event, created);
  }

  async function enqueueMany(items: readonly EnqueueItem[]): Promise<WebhookEvent[]> {
    assertOpen();
    if (!Array.isArray(items) || items.length > STORE_LIMITS.maxBatchSize) {
      throw new InvalidInputError(`items must be an array of at most ${STORE_LIMITS.maxBatchSize} events`, {
        details: { field: 'items' },
      });
    }
    const prepared = items.map((item, index) =>
      prepare(item?.eventType, item?.payload, item?.options, `items[${index}].`),
    );
    const inserted = await store.insertMany(prepared.map((entry) => entry.event)).catch((error: unknown) => {
      throw refused(error);
    });
    return settle(inserted);
  }

  /** Hands inserted rows to delivery: in order through the queue (async), or inline with bounded concurrency (sync). */
  async function settle(staged: readonly InsertResult[]): Promise<WebhookEvent[]> {
    const out = new Array<WebhookEvent>(staged.length);
    if (options.deliveryMode === 'async') {
      for (const [index, result] of staged.entries()) {
        out[index] = await afterInsert(result.event, result.created);
      }
      return out;
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < staged.length; index = next++) {
        const result = staged[index]!;
        out[index] = await afterInsert(result.event, result.created);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, staged.length) }, worker));
    return out;
  }

  async function transaction<T>(work: (tx: DispatcherTransaction) => Promise<T>): Promise<T> {
    assertOpen();
    return runDispatcherTransaction({ store, prepare, refused, settle }, work);
  }

  async function deliverNow(id: string): Promise<WebhookEvent> {
    assertOpen();
    checkEventId(id);
    const claimed = await store.claimById(id, {
      workerId: nowWorkerId,
      leaseMs: options.leaseMs,
      now: clock(),
    });
    if (claimed === undefined) {
      const row = await store.get(id);
      if (row === undefined) throw new NotFoundError(`no event with id ${id}`, { details: { id } });
      return row;
    }
    if (claimed.targetUrl === null) {
      await runner.release([id], nowWorkerId);
      throw new ConfigurationError(`event ${id} has no target URL configured`, {
        details: { field: 'targetUrl' },
      });
    }
    const row = await runner.deliver(claimed, {
      workerId: nowWorkerId,
      direct: true,
    });
    return row ?? (await store.get(id)) ?? claimed;
  }

  async function replay(selector: ReplaySelector, opts: DispatcherReplayOptions): Promise<ReplayReport> {
    assertOpen();
    const report = await store.replay(selector, { ...opts, now: clock() });
    if (report.replayed > 0) {
      logger.info({ replayed: report.replayed, matched: report.matched }, 'events replayed');
      if (scheduler.isRunning || settings === undefined || options.deliveryMode === 'deferred')
        scheduler.wake();
      else await handOffReplayed(report);
    }
    return report;
  }

  /** Without a running scheduler, replayed rows are claimed and handed to the queue here. */
  async function handOffReplayed(report: ReplayReport): Promise<void> {
    for (const candidate of report.candidates) {
      if (!candidate.eligible) continue;
      const row = await store.claimById(candidate.id, { workerId, leaseMs: options.leaseMs, now: clock() });
      if (row === undefined) continue;
      try {
        await handoff.offer(row);
      } catch (error) {
        if (!HooksError.isInstance(error)) throw error;
      }
    }
  }

  function assertCanSign(what: string): void {
    if (settings === undefined) {
      throw new ConfigurationError(`secret (or scheme) is required to ${what}`, {
        details: { field: 'secret' },
      });
    }
  }

  function start(): void {
    assertOpen();
    assertCanSign('start the scheduler');
    scheduler.start();
    endpoints.listen();
  }

  async function close(stopOptions: StopOptions = {}): Promise<void> {
    closing ??= (async () => {
      const deadlineMs = stopOptions.deadlineMs ?? 5000;
      const startedAt = Date.now();
      const left = (): number => Math.max(0, deadlineMs - (Date.now() - startedAt));
      await withDeadline(scheduler.stop({ deadlineMs }), deadlineMs + 3000);
      const handoffRunning = (item: WorkItem): boolean => item.source === 'handoff';
      await pool.waitFor(() => queue.size === 0 && !pool.someRunning(handoffRunning), left());
      const leftover = queue.close();
      await withDeadline(
        runner.release(
          leftover.map((item) => item.row.id),
          workerId,
        ),
        2000,
      );
      pool.abort();
      runner.abortDirect();
      for (let waited = 0; waited < 2000 && (pool.inFlight > 0 || runner.directInFlight > 0); waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await withDeadline(batcher.flush(), 2000);
      await withDeadline(runner.idle(), 2000);
      await withDeadline(endpoints.close(), 2000);
      await client.close();
      if (options.ownsStore) await withDeadline(store.close(), 2000);
      logger.info({ workerId, leftover: leftover.length }, 'dispatcher closed');
    })();
    return closing;
  }

  return Object.freeze({
    store,
    enqueue,
    enqueueMany,
    transaction,
    deliverNow,
    listPendingDue: (now?: Date, limit?: number) => store.listDue({ now: now ?? clock(), limit }),
    deliverDue: async (opts?: { now?: Date; limit?: number }) => {
      assertOpen();
      assertCanSign('deliver events');
      return scheduler.runOnce(opts);
    },
    replay,
    diagnostics: (): DispatcherDiagnostics => ({
      storeKind: store.kind,
      workerId,
      deliveryMode: options.deliveryMode,
      queue: {
        depth: queue.size,
        capacity: options.queue.capacity,
        policy: options.queue.policy,
        blocked: queue.blocked,
      },
      inFlight: pool.inFlight + runner.directInFlight,
      schedulerRunning: scheduler.isRunning,
      ...diagnostics.snapshot(),
      endpoints: endpoints.snapshot(),
    }),
    listEndpoints: async (query?: ListEndpointsQuery) => {
      assertOpen();
      return endpoints.list(query);
    },
    enableEndpoint: async (url: string) => {
      assertOpen();
      return endpoints.enable(url);
    },
    start,
    stop: (opts?: StopOptions) => {
      endpoints.unlisten();
      return scheduler.stop(opts);
    },
    close,
    [Symbol.asyncDispose]: () => close(),
  });
}
