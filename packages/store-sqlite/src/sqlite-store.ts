import {
  type AttemptOutcome,
  type ClaimByIdOptions,
  type ClaimOptions,
  ConfigurationError,
  checkArray,
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
  encodeCursor,
  type InsertResult,
  type ListDueOptions,
  type ListEndpointsQuery,
  type ListEventsQuery,
  type NewWebhookEvent,
  normaliseEndpointQuery,
  normaliseListQuery,
  normalisePrune,
  normaliseReplay,
  type PreparedEvent,
  type PreparedOutcome,
  type PruneOptions,
  type PruneResult,
  prepareEndpointEnable,
  prepareEndpointRecording,
  prepareNewEvent,
  prepareNewEvents,
  prepareOutcome,
  type RecordOutcomesOptions,
  type RecordResult,
  type ReplayOptions,
  type ReplayReport,
  type ReplaySelector,
  type StatusCounts,
  type StoreTransaction,
  type Unsubscribe,
  WakeListeners,
  type WebhookEvent,
  type WebhookStore,
} from '@hooks/core';
import { claimDueRows, claimRowById, type DueWindow, releaseRows, selectDueRows } from './sqlite-claim.js';
import { openSqliteConnection, type SqliteConnection } from './sqlite-connection.js';
import { enableEndpointRow, listEndpointRows, recordEndpointRows } from './sqlite-endpoints.js';
import { closedError, toHooksError } from './sqlite-errors.js';
import { all, type SqlProgram } from './sqlite-executor.js';
import { insertEvents } from './sqlite-insert.js';
import { pruneRows, replayRows } from './sqlite-maintenance.js';
import { ensureSchema } from './sqlite-migrations.js';
import {
  type ResolvedSqliteOptions,
  resolveSqliteOptions,
  type SqliteStoreOptions,
} from './sqlite-options.js';
import { applyOutcomes } from './sqlite-outcomes.js';
import { inList, queryBuilder, toStatement } from './sqlite-query-builder.js';
import { rowToAttempt, rowToEvent } from './sqlite-rows.js';
import { type AttemptRow, type EventRow, type SqliteTableNames, tableNames } from './sqlite-schema.js';
import { NOT_DELIVERED, statusIndexTerm } from './sqlite-status-index.js';
import { runSqliteTransaction, WorkFailure } from './sqlite-transaction.js';

/**
 * A `WebhookStore` on SQLite (better-sqlite3, WAL mode): the embedded default. Several processes may share one
 * database file; claiming is one atomic UPDATE. `subscribe` only hears this process: other processes poll.
 *
 * @example
 * const store = createSqliteStore({ filename: './hooks.db' });
 * await store.init(); // creates or migrates the tables
 * await store.insert({ eventType: 'order.paid', payload: { id: 1 }, targetUrl: 'https://example.com/hook' });
 * const claimed = await store.claimDue({ workerId: 'worker-1', limit: 10, leaseMs: 30_000 });
 * await store.close();
 */
export function createSqliteStore<DB = unknown>(options: SqliteStoreOptions<DB>): WebhookStore {
  return new SqliteWebhookStore(resolveSqliteOptions(options));
}

class SqliteWebhookStore implements WebhookStore {
  readonly kind = 'sqlite';
  readonly #options: ResolvedSqliteOptions;
  readonly #names: SqliteTableNames;
  readonly #listeners = new WakeListeners();
  #connection: SqliteConnection | undefined;
  #ready: Promise<void> | undefined;
  #closed = false;
  /** Settles when the open `transaction()` ends; the store's other operations wait for it. */
  #transactionDone: Promise<unknown> | undefined;

  constructor(options: ResolvedSqliteOptions) {
    this.#options = options;
    this.#names = tableNames(options.tablePrefix);
  }

  init(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#ready === undefined) {
      const ready = this.#initialise();
      this.#ready = ready;
      // A failed init (e.g. schema behind in `check` mode) may be retried after the cause is fixed.
      ready.catch(() => {
        if (this.#ready === ready) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  async ping(): Promise<void> {
    await this.#execute('ping', () => all('SELECT 1'));
  }

  async insert(event: NewWebhookEvent): Promise<InsertResult> {
    this.#open();
    const prepared = prepareNewEvent(event, this.#now(), this.#options.maxPayloadBytes);
    return (await this.#insertAll('insert', [prepared]))[0]!;
  }

  async insertMany(events: readonly NewWebhookEvent[]): Promise<InsertResult[]> {
    this.#open();
    return this.#insertAll(
      'insertMany',
      prepareNewEvents(events, this.#now(), this.#options.maxPayloadBytes),
    );
  }

  async get(id: string): Promise<WebhookEvent | undefined> {
    this.#open();
    checkEventId(id);
    const [row] = await this.#execute('get', () =>
      all<EventRow>(`SELECT * FROM ${this.#names.events} WHERE id = ?`, [id]),
    );
    return row === undefined ? undefined : rowToEvent(row);
  }

  async list(query: ListEventsQuery = {}): Promise<EventPage> {
    this.#open();
    const q = normaliseListQuery(query);
    let builder = queryBuilder.selectFrom(this.#names.events).selectAll();
    if (q.statuses !== null) {
      builder = builder.where(inList('status', q.statuses));
      const indexTerm = statusIndexTerm(q.statuses);
      if (indexTerm !== undefined) builder = builder.where(indexTerm);
    }
    if (q.eventTypes !== null) builder = builder.where(inList('event_type', q.eventTypes));
    if (q.since !== null) builder = builder.where('inserted_at', '>=', q.since.getTime());
    if (q.until !== null) builder = builder.where('inserted_at', '<', q.until.getTime());
    if (q.afterId !== null) builder = builder.where('id', q.order === 'asc' ? '>' : '<', q.afterId);
    const statement = toStatement(builder.orderBy('id', q.order).limit(q.limit + 1));
    const rows = await this.#execute('list', () => all<EventRow>(statement.text, statement.params));
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map(rowToEvent),
      nextCursor: rows.length > q.limit && last !== undefined ? encodeCursor(last.id) : null,
    };
  }

  async countByStatus(): Promise<StatusCounts> {
    this.#open();
    // The status index holds every row but the delivered ones: those are all rows minus the others. One
    // compound statement, so both counts come from one snapshot.
    const events = this.#names.events;
    const rows = await this.#execute('countByStatus', () =>
      all<{ status: string | null; n: number }>(
        `SELECT status, count(*) AS n FROM ${events} WHERE ${NOT_DELIVERED} GROUP BY status ` +
          `UNION ALL SELECT NULL, count(*) FROM ${events}`,
      ),
    );
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, 0])) as StatusCounts;
    let notDelivered = 0;
    let total = 0;
    for (const row of rows) {
      if (row.status === null) total = row.n;
      else if (row.status in counts) {
        counts[row.status as keyof StatusCounts] = row.n;
        notDelivered += row.n;
      }
    }
    counts.delivered = total - notDelivered;
    return counts;
  }

  async listAttempts(eventId: string): Promise<DeliveryAttempt[]> {
    this.#open();
    checkEventId(eventId, 'eventId');
    const rows = await this.#execute('listAttempts', () =>
      all<AttemptRow>(`SELECT * FROM ${this.#names.attempts} WHERE event_id = ? ORDER BY id`, [eventId]),
    );
    return rows.map(rowToAttempt);
  }

  async listDue(options: ListDueOptions = {}): Promise<WebhookEvent[]> {
    this.#open();
    checkObject(options);
    const limit = checkDueLimit(options.limit);
    const window = this.#window(options.now);
    const rows = await this.#execute('listDue', () => selectDueRows(this.#names, window, limit));
    return rows.map(rowToEvent);
  }

  async claimDue(options: ClaimOptions): Promise<WebhookEvent[]> {
    this.#open();
    checkClaimOptions(options);
    const window = this.#window(options.now);
    const lease = { workerId: options.workerId, lockedUntil: window.now + options.leaseMs, now: window.now };
    const rows = await this.#execute('claimDue', () =>
      claimDueRows(this.#names, window, options.limit, lease),
    );
    return rows.map(rowToEvent);
  }

  async claimById(id: string, options: ClaimByIdOptions): Promise<WebhookEvent | undefined> {
    this.#open();
    checkEventId(id);
    checkObject(options);
    const workerId = checkWorkerId(options.workerId);
    const leaseMs = checkLeaseMs(options.leaseMs);
    const now = (options.now === undefined ? this.#now() : checkNow(options.now)).getTime();
    const row = await this.#execute('claimById', () =>
      claimRowById(this.#names, id, { workerId, lockedUntil: now + leaseMs, now }),
    );
    return row === undefined ? undefined : rowToEvent(row);
  }

  async recordOutcome(outcome: AttemptOutcome): Promise<RecordResult> {
    this.#open();
    return (await this.#record('recordOutcome', [prepareOutcome(outcome)]))[0]!;
  }

  async recordOutcomes(
    outcomes: readonly AttemptOutcome[],
    options?: RecordOutcomesOptions,
  ): Promise<RecordResult[]> {
    this.#open();
    checkArray(outcomes, 'outcomes');
    const returnEvents = checkReturnEvents(options);
    return this.#record(
      'recordOutcomes',
      outcomes.map((outcome) => prepareOutcome(outcome)),
      returnEvents,
    );
  }

  async releaseLeases(ids: readonly string[], workerId: string): Promise<number> {
    this.#open();
    checkArray(ids, 'ids');
    for (const [index, id] of ids.entries()) checkEventId(id, `ids[${index}]`);
    checkWorkerId(workerId);
    const now = this.#now().getTime();
    const released = await this.#execute('releaseLeases', () => releaseRows(this.#names, ids, workerId, now));
    if (released > 0) this.#notify();
    return released;
  }

  async replay(selector: ReplaySelector, options: ReplayOptions): Promise<ReplayReport> {
    this.#open();
    const replay = normaliseReplay(selector, options);
    const now = (options.now === undefined ? this.#now() : checkNow(options.now)).getTime();
    const report = await this.#execute('replay', () => replayRows(this.#names, replay, now), !replay.dryRun);
    if (report.replayed > 0) this.#notify();
    return report;
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    this.#open();
    const { olderThan, statuses } = normalisePrune(options);
    return this.#execute('prune', () => pruneRows(this.#names, olderThan.getTime(), statuses), true);
  }

  async transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    this.#open();
    await this.init();
    while (this.#transactionDone !== undefined) await this.#transactionDone;
    const connection = this.#connection;
    if (this.#closed || connection === undefined) throw closedError();
    const running = runSqliteTransaction(
      {
        kysely: connection.kysely,
        names: this.#names,
        now: () => this.#now(),
        maxPayloadBytes: this.#options.maxPayloadBytes,
      },
      work,
    );
    const done = running.catch(() => undefined);
    this.#transactionDone = done;
    try {
      const { value, created } = await running;
      if (created) this.#notify();
      return value;
    } catch (error) {
      if (error instanceof WorkFailure) throw error.error;
      throw toHooksError(error, 'transaction');
    } finally {
      if (this.#transactionDone === done) this.#transactionDone = undefined;
    }
  }

  async listEndpoints(query?: ListEndpointsQuery): Promise<EndpointHealth[]> {
    this.#open();
    const { states, limit } = normaliseEndpointQuery(query);
    return this.#execute('listEndpoints', () => listEndpointRows(this.#names, states, limit));
  }

  async recordEndpointResults(
    results: readonly EndpointResult[],
    policy?: EndpointHealthPolicy,
  ): Promise<EndpointResultsReport> {
    this.#open();
    const { grouped, policy: checked, now } = prepareEndpointRecording(results, policy, () => this.#now());
    if (grouped.size === 0) return { endpoints: [], disabled: [] };
    return this.#execute(
      'recordEndpointResults',
      () => recordEndpointRows(this.#names, grouped, checked, now),
      true,
    );
  }

  async enableEndpoint(
    url: string,
    options: EnableEndpointOptions = {},
  ): Promise<EndpointHealth | undefined> {
    this.#open();
    const now = prepareEndpointEnable(url, options, () => this.#now());
    const enabled = await this.#execute(
      'enableEndpoint',
      () => enableEndpointRow(this.#names, url, now),
      true,
    );
    if (enabled !== undefined) this.#notify();
    return enabled;
  }

  subscribe(listener: () => void): Unsubscribe {
    this.#open();
    return this.#listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.#ready?.catch(() => undefined);
    const connection = this.#connection;
    if (connection === undefined) return;
    await connection.close();
  }

  async #initialise(): Promise<void> {
    try {
      this.#connection ??= openSqliteConnection(this.#options);
      await ensureSchema(this.#connection.kysely, this.#names, this.#options.migrate);
    } catch (error) {
      throw toHooksError(error, 'init');
    }
  }

  #open(): void {
    if (this.#closed) throw closedError();
  }

  #now(): Date {
    const value: unknown = this.#options.clock();
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new ConfigurationError('clock must return a valid Date', { details: { field: 'clock' } });
    }
    return new Date(value.getTime());
  }

  /** The claim's now (caller's or the clock's) and the range bound max(now, clock). */
  #window(now: Date | undefined): DueWindow {
    const clock = this.#now().getTime();
    const at = now === undefined ? clock : checkNow(now).getTime();
    return { now: at, bound: Math.max(at, clock) };
  }

  /** Waits for init, then runs `program` (in a transaction if asked); maps every failure to a HooksError. */
  async #execute<T>(operation: string, program: () => SqlProgram<T>, transaction = false): Promise<T> {
    await this.init();
    while (this.#transactionDone !== undefined) await this.#transactionDone;
    const connection = this.#connection;
    if (this.#closed || connection === undefined) throw closedError();
    try {
      return await connection.executor.execute(program, transaction);
    } catch (error) {
      throw toHooksError(error, operation);
    }
  }

  async #insertAll(operation: string, prepared: readonly PreparedEvent[]): Promise<InsertResult[]> {
    if (prepared.length === 0) return [];
    const results = await this.#execute(operation, () => insertEvents(this.#names, prepared), true);
    if (results.some((result) => result.created)) this.#notify();
    return results;
  }

  async #record(
    operation: string,
    outcomes: readonly PreparedOutcome[],
    returnEvents = true,
  ): Promise<RecordResult[]> {
    const now = this.#now().getTime();
    const results =
      outcomes.length === 0
        ? []
        : await this.#execute(operation, () => applyOutcomes(this.#names, outcomes, now, returnEvents), true);
    if (results.some((result, index) => result.applied && outcomes[index]!.kind === 'retry')) this.#notify();
    return results;
  }

  #notify(): void {
    this.#listeners.wake();
  }
}
