import {
  type AttemptOutcome,
  type ClaimByIdOptions,
  type ClaimOptions,
  ConfigurationError,
  checkClaimOptions,
  checkDueLimit,
  checkEventId,
  checkLeaseMs,
  checkNow,
  checkObject,
  checkReturnEvents,
  checkWorkerId,
  DELIVERY_STATUSES,
  type DeliveryAttempt,
  type EnableEndpointOptions,
  type EndpointHealth,
  type EndpointHealthPolicy,
  type EndpointResult,
  type EndpointResultsReport,
  type EventPage,
  HooksError,
  type InsertResult,
  InvalidInputError,
  type ListDueOptions,
  type ListEndpointsQuery,
  type ListEventsQuery,
  type NewWebhookEvent,
  normaliseListQuery,
  normalisePrune,
  normaliseReplay,
  type PreparedEvent,
  type PreparedOutcome,
  type PruneOptions,
  type PruneResult,
  planReplay,
  prepareEndpointEnable,
  prepareNewEvent,
  prepareNewEvents,
  prepareOutcome,
  type RecordOutcomesOptions,
  type RecordResult,
  type ReplayOptions,
  type ReplayReport,
  type ReplaySelector,
  STORE_LIMITS,
  type StatusCounts,
  type StoreTransaction,
  type Unsubscribe,
  WakeListeners,
  type WebhookEvent,
  type WebhookStore,
} from '@hooks/core';
import { MemoryEndpoints } from './memory-endpoints.js';
import { registerMemoryState } from './memory-inspect.js';
import { applyOutcome } from './memory-outcomes.js';
import { createMemoryState, toAttempt, toDeliverableEvent, toEvent } from './memory-rows.js';
import { isDue, isLeasedByOther, selectPage, selectReplay } from './memory-selection.js';
import { deleteRow, insertRows, leaseRow, releaseRow, resetForReplay } from './memory-writes.js';

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /** The store's notion of now (insert times, default `now` of claims and replays); default `() => new Date()`. */
  clock?: () => Date;
  /** Largest accepted payload, in bytes of serialised JSON; default 1 MiB. */
  maxPayloadBytes?: number;
}

interface MemorySettings {
  readonly clock: () => Date;
  readonly maxPayloadBytes: number;
}

/**
 * A `WebhookStore` that keeps everything in this process's memory: for tests, demos and the engine's
 * default. Same semantics as the SQL stores (leases, fencing, bounded replay); nothing survives a restart.
 *
 * @example
 * const store = createMemoryStore();
 * const { event } = await store.insert({ eventType: 'order.paid', payload: { id: 1 }, targetUrl: 'https://example.com/hook' });
 * const [claimed] = await store.claimDue({ workerId: 'worker-1', limit: 10, leaseMs: 30_000 });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): WebhookStore {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options must be an object', { details: { field: 'options' } });
  }
  const clock = options.clock ?? (() => new Date());
  if (typeof clock !== 'function') {
    throw new ConfigurationError('clock must be a function returning a Date', {
      details: { field: 'clock' },
    });
  }
  const maxPayloadBytes = options.maxPayloadBytes ?? STORE_LIMITS.maxPayloadBytes;
  if (typeof maxPayloadBytes !== 'number' || !Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
    throw new ConfigurationError('maxPayloadBytes must be a positive integer', {
      details: { field: 'maxPayloadBytes' },
    });
  }
  return new MemoryWebhookStore(Object.freeze({ clock, maxPayloadBytes }));
}

class MemoryWebhookStore implements WebhookStore {
  readonly kind = 'memory';
  readonly #settings: MemorySettings;
  readonly #state = createMemoryState();
  readonly #listeners = new WakeListeners();
  readonly #endpoints = new MemoryEndpoints();
  #closed = false;
  /** Settles when the open `transaction()` ends; the store's other operations wait for it. */
  #transactionDone: Promise<unknown> | undefined;
  /** While a transaction runs: ids it created (for rollback) and whether listeners are owed a call. */
  #transactionLog: { created: string[] } | undefined;

  constructor(settings: MemorySettings) {
    this.#settings = settings;
    registerMemoryState(this, this.#state, this.#endpoints);
  }

  async init(): Promise<void> {
    await this.#ready();
  }

  async ping(): Promise<void> {
    await this.#ready();
  }

  async insert(event: NewWebhookEvent): Promise<InsertResult> {
    await this.#ready();
    const prepared = prepareNewEvent(event, this.#now(), this.#settings.maxPayloadBytes);
    return this.#insertAll([prepared])[0]!;
  }

  async insertMany(events: readonly NewWebhookEvent[]): Promise<InsertResult[]> {
    await this.#ready();
    return this.#insertAll(prepareNewEvents(events, this.#now(), this.#settings.maxPayloadBytes));
  }

  async get(id: string): Promise<WebhookEvent | undefined> {
    await this.#ready();
    const row = this.#state.rows.get(checkEventId(id));
    return row === undefined ? undefined : toEvent(row);
  }

  async list(query: ListEventsQuery = {}): Promise<EventPage> {
    await this.#ready();
    const page = selectPage(this.#state.rows.values(), normaliseListQuery(query));
    return { items: page.rows.map((row) => toEvent(row)), nextCursor: page.nextCursor };
  }

  async countByStatus(): Promise<StatusCounts> {
    await this.#ready();
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, 0])) as StatusCounts;
    for (const row of this.#state.rows.values()) counts[row.status] += 1;
    return counts;
  }

  async listAttempts(eventId: string): Promise<DeliveryAttempt[]> {
    await this.#ready();
    checkEventId(eventId, 'eventId');
    return this.#state.attempts.filter((attempt) => attempt.eventId === eventId).map(toAttempt);
  }

  async listDue(options: ListDueOptions = {}): Promise<WebhookEvent[]> {
    await this.#ready();
    checkObject(options);
    const limit = checkDueLimit(options.limit);
    const now = options.now === undefined ? this.#now() : checkNow(options.now);
    return this.#selectDue(now, limit).map((row) => toEvent(row));
  }

  async claimDue(options: ClaimOptions): Promise<WebhookEvent[]> {
    await this.#ready();
    checkClaimOptions(options);
    const now = options.now === undefined ? this.#now() : checkNow(options.now);
    const rows = this.#selectDue(now, options.limit);
    for (const row of rows) leaseRow(this.#state, row, options.workerId, options.leaseMs, now);
    return rows.map((row) => toDeliverableEvent(row));
  }

  async claimById(id: string, options: ClaimByIdOptions): Promise<WebhookEvent | undefined> {
    await this.#ready();
    checkEventId(id);
    checkObject(options);
    const workerId = checkWorkerId(options.workerId);
    const leaseMs = checkLeaseMs(options.leaseMs);
    const now = options.now === undefined ? this.#now() : checkNow(options.now);
    const row = this.#state.rows.get(id);
    if (row === undefined || row.status !== 'pending' || isLeasedByOther(row, workerId, now))
      return undefined;
    leaseRow(this.#state, row, workerId, leaseMs, now);
    return toDeliverableEvent(row);
  }

  async recordOutcome(outcome: AttemptOutcome): Promise<RecordResult> {
    await this.#ready();
    // The memory store keeps the headers object: no JSON text needed.
    const prepared = prepareOutcome(outcome, false);
    return this.#applyAll([prepared])[0]!;
  }

  async recordOutcomes(
    outcomes: readonly AttemptOutcome[],
    options?: RecordOutcomesOptions,
  ): Promise<RecordResult[]> {
    await this.#ready();
    if (!Array.isArray(outcomes)) {
      throw new InvalidInputError('outcomes must be an array', { details: { field: 'outcomes' } });
    }
    const returnEvents = checkReturnEvents(options);
    return this.#applyAll(
      outcomes.map((outcome) => prepareOutcome(outcome, false)),
      returnEvents,
    );
  }

  async releaseLeases(ids: readonly string[], workerId: string): Promise<number> {
    await this.#ready();
    if (!Array.isArray(ids))
      throw new InvalidInputError('ids must be an array', { details: { field: 'ids' } });
    for (const [index, id] of ids.entries()) checkEventId(id, `ids[${index}]`);
    checkWorkerId(workerId);
    const now = this.#now();
    let released = 0;
    for (const id of new Set(ids)) {
      const row = this.#state.rows.get(id);
      if (row === undefined || row.lockedBy !== workerId) continue;
      releaseRow(this.#state, row, now);
      released += 1;
    }
    if (released > 0) this.#notify();
    return released;
  }

  async replay(selector: ReplaySelector, options: ReplayOptions): Promise<ReplayReport> {
    await this.#ready();
    const replay = normaliseReplay(selector, options);
    const now = options.now === undefined ? this.#now() : checkNow(options.now);
    const matched = selectReplay(this.#state.rows.values(), replay);
    const { resetIds, report } = planReplay(matched, replay);
    const reset = new Set(resetIds);
    for (const row of matched) if (reset.has(row.id)) resetForReplay(this.#state, row, now);
    if (reset.size > 0) this.#notify();
    return report;
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    await this.#ready();
    const { olderThan, statuses } = normalisePrune(options);
    const cut = olderThan.getTime();
    const prunable: readonly string[] = statuses;
    const deleted = new Set<string>();
    for (const row of this.#state.rows.values()) {
      if (prunable.includes(row.status) && row.updatedAt.getTime() < cut) deleted.add(row.id);
    }
    for (const id of deleted) deleteRow(this.#state, id);
    const before = this.#state.attempts.length;
    this.#state.attempts = this.#state.attempts.filter(
      (attempt) => !deleted.has(attempt.eventId) && attempt.finishedAt.getTime() >= cut,
    );
    return { events: deleted.size, attempts: before - this.#state.attempts.length };
  }

  async listEndpoints(query?: ListEndpointsQuery): Promise<EndpointHealth[]> {
    await this.#ready();
    return this.#endpoints.list(query);
  }

  async recordEndpointResults(
    results: readonly EndpointResult[],
    policy?: EndpointHealthPolicy,
  ): Promise<EndpointResultsReport> {
    await this.#ready();
    return this.#endpoints.record(results, policy, this.#now());
  }

  async enableEndpoint(
    url: string,
    options: EnableEndpointOptions = {},
  ): Promise<EndpointHealth | undefined> {
    await this.#ready();
    const enabled = this.#endpoints.enable(
      url,
      prepareEndpointEnable(url, options, () => this.#now()),
    );
    if (enabled !== undefined) this.#notify();
    return enabled;
  }

  subscribe(listener: () => void): Unsubscribe {
    this.#open();
    return this.#listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  async transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    await this.#ready();
    if (typeof work !== 'function') {
      throw new InvalidInputError('work must be a function', { details: { field: 'work' } });
    }
    const log = { created: [] as string[] };
    let finished = false;
    const insertAll = async (prepared: readonly PreparedEvent[]): Promise<InsertResult[]> => {
      if (finished) throw new InvalidInputError('the transaction has ended', { details: { field: 'tx' } });
      this.#open();
      return this.#insertAll(prepared);
    };
    const tx: StoreTransaction = {
      insert: async (event) =>
        (await insertAll([prepareNewEvent(event, this.#now(), this.#settings.maxPayloadBytes)]))[0]!,
      insertMany: async (events) =>
        insertAll(prepareNewEvents(events, this.#now(), this.#settings.maxPayloadBytes)),
      db: undefined,
    };
    this.#transactionLog = log;
    const running = (async () => {
      try {
        return await work(tx);
      } finally {
        finished = true;
        this.#transactionLog = undefined;
      }
    })();
    const done = running.catch(() => undefined);
    this.#transactionDone = done;
    try {
      const value = await running;
      if (log.created.length > 0) this.#notify();
      return value;
    } catch (error) {
      for (const id of log.created) deleteRow(this.#state, id);
      throw error;
    } finally {
      if (this.#transactionDone === done) this.#transactionDone = undefined;
    }
  }

  /** Throws when closed; waits while a transaction is open (its rows are not visible to other operations). */
  async #ready(): Promise<void> {
    this.#open();
    while (this.#transactionDone !== undefined) await this.#transactionDone;
    this.#open();
  }

  #open(): void {
    if (this.#closed) throw new HooksError('HOOKS_ERR_CLOSED', 'the store is closed');
  }

  #now(): Date {
    const value: unknown = this.#settings.clock();
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new ConfigurationError('clock must return a valid Date', { details: { field: 'clock' } });
    }
    return new Date(value.getTime());
  }

  #notify(): void {
    this.#listeners.wake();
  }

  /** Due rows at `now` from the due index (range bound: the later of `now` and the store clock). */
  #selectDue(now: Date, limit: number) {
    const bound = Math.max(now.getTime(), this.#now().getTime());
    return this.#state.due.select(bound, limit, (row) => isDue(row, now));
  }

  /** Inserts (all or nothing, see `insertRows`) and returns the rows as the engine may deliver them. */
  #insertAll(prepared: readonly PreparedEvent[]): InsertResult[] {
    const plan = insertRows(this.#state, prepared);
    let created = 0;
    for (const entry of plan) {
      if (!entry.created) continue;
      created += 1;
      this.#transactionLog?.created.push(entry.row.id);
    }
    if (created > 0 && this.#transactionLog === undefined) this.#notify();
    return plan.map(({ row, created, payload }) => ({ event: toDeliverableEvent(row, payload), created }));
  }

  #applyAll(outcomes: readonly PreparedOutcome[], returnEvents = true): RecordResult[] {
    const now = this.#now();
    // One copy of `now` for the whole batch's results (the rows keep `now` itself).
    const recordedAt = new Date(now.getTime());
    const results = outcomes.map((outcome) =>
      applyOutcome(this.#state, outcome, now, recordedAt, returnEvents),
    );
    if (results.some((result, index) => result.applied && outcomes[index]!.kind === 'retry')) this.#notify();
    return results;
  }
}
