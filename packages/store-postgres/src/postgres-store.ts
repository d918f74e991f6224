import { randomUUID } from 'node:crypto';
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
  normaliseEndpointQuery,
  normaliseListQuery,
  normalisePrune,
  normaliseReplay,
  type PreparedEvent,
  type PruneOptions,
  type PruneResult,
  prepareEndpointEnable,
  prepareEndpointRecording,
  prepareNewEvent,
  type RecordOutcomesOptions,
  type RecordResult,
  type ReplayOptions,
  type ReplayReport,
  type ReplaySelector,
  type StatusCounts,
  type StoreTransaction,
  type Unsubscribe,
  type WebhookEvent,
} from '@hooks/core';
import { type Kysely, sql } from 'kysely';
import { claimDueRows, claimRowById, releaseRows } from './postgres-claim.js';
import { type OpenedDatabase, openDatabase } from './postgres-connection.js';
import { enableEndpointRow, listEndpointRows, recordEndpointRows } from './postgres-endpoints.js';
import { createScrubber, type Scrubber, toStoreError } from './postgres-errors.js';
import { insertEvents, needsInsertTransaction } from './postgres-insert.js';
import { applyMigrations, checkMigrations } from './postgres-migrations.js';
import { channelFor, PostgresNotifier } from './postgres-notifier.js';
import { type PostgresSettings, type PostgresStoreOptions, resolveSettings } from './postgres-options.js';
import { needsTransaction, recordOutcomeRows } from './postgres-outcomes.js';
import { pruneRows } from './postgres-prune.js';
import { countRows, listAttemptRows, listDueRows, listRows, rowById } from './postgres-queries.js';
import { replayRows } from './postgres-replay.js';
import type { HooksDatabase, PostgresContext } from './postgres-schema.js';
import type { PostgresStore, PostgresStoreTransaction } from './postgres-store-interface.js';
import { preparePostgresEvent, preparePostgresEvents, preparePostgresOutcomes } from './postgres-text.js';
import { runPostgresTransaction } from './postgres-transaction.js';

/**
 * Creates a `WebhookStore` on PostgreSQL through kysely and pg: many workers on many machines can share
 * it (leases with `FOR UPDATE SKIP LOCKED`, fenced outcomes, LISTEN/NOTIFY wake-ups). Synchronous; the
 * schema is created and migrated on first use (or by `init()`).
 *
 * @example
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL!, schema: 'webhooks' });
 * await store.init();
 * const { event } = await store.insert({ eventType: 'order.paid', payload: { id: 1 }, targetUrl: 'https://example.com/hook' });
 * const claimed = await store.claimDue({ workerId: 'worker-1', limit: 10, leaseMs: 30_000 });
 * await store.close();
 */
export function createPostgresStore<DB = unknown>(options: PostgresStoreOptions<DB>): PostgresStore {
  const settings = resolveSettings(options);
  return new PostgresWebhookStore(settings, openDatabase(settings));
}

class PostgresWebhookStore<DB> implements PostgresStore {
  readonly kind = 'postgres';
  readonly schema: string;
  readonly channel: string;
  readonly #settings: PostgresSettings<DB>;
  readonly #db: Kysely<HooksDatabase>;
  readonly #root: Kysely<unknown>;
  readonly #owned: boolean;
  readonly #context: PostgresContext;
  readonly #notifier: PostgresNotifier;
  readonly #scrub: Scrubber;
  readonly #inflight = new Set<Promise<unknown>>();
  #initialised: Promise<void> | undefined;
  /** Settles when the open `transaction()` ends; the store's other operations wait for it. */
  #transactionDone: Promise<unknown> | undefined;
  #closing: Promise<void> | undefined;

  constructor(settings: PostgresSettings<DB>, { db, root, owned }: OpenedDatabase) {
    this.#settings = settings;
    this.#db = db;
    this.#root = root;
    this.#owned = owned;
    this.schema = settings.schema;
    this.channel = channelFor(settings.schema);
    this.#scrub = createScrubber(settings.secrets);
    const instanceId = randomUUID();
    this.#context = Object.freeze({
      schema: settings.schema,
      events: sql.table(`${settings.schema}.hooks_events`),
      attempts: sql.table(`${settings.schema}.hooks_attempts`),
      notify: sql`pg_notify(${this.channel}, ${instanceId})`,
    });
    this.#notifier = new PostgresNotifier({
      clientConfig: settings.listenConfig,
      channel: this.channel,
      instanceId,
    });
  }

  init(): Promise<void> {
    return this.#use(async () => undefined);
  }

  ping(): Promise<void> {
    return this.#use(async () => {
      await sql`select 1`.execute(this.#db);
    }, false);
  }

  async insert(event: NewWebhookEvent): Promise<InsertResult> {
    this.#open();
    const prepared = preparePostgresEvent(
      prepareNewEvent(event, this.#now(), this.#settings.maxPayloadBytes),
      'payload',
    );
    const [result] = await this.#use(() => insertEvents(this.#db, this.#context, [prepared]));
    if (result?.created) this.#notifier.wake();
    return result!;
  }

  async insertMany(events: readonly NewWebhookEvent[]): Promise<InsertResult[]> {
    this.#open();
    const prepared = this.#prepareMany(events);
    if (prepared.length === 0) return [];
    // Without idempotency keys the insert is one statement, atomic by itself: no BEGIN/COMMIT round trips.
    const results = await this.#use(() =>
      needsInsertTransaction(prepared)
        ? this.#db.transaction().execute((trx) => insertEvents(trx, this.#context, prepared))
        : insertEvents(this.#db, this.#context, prepared),
    );
    if (results.some((result) => result.created)) this.#notifier.wake();
    return results;
  }

  async get(id: string): Promise<WebhookEvent | undefined> {
    this.#open();
    checkEventId(id);
    return this.#use(() => rowById(this.#db, this.#context, id));
  }

  async list(query: ListEventsQuery = {}): Promise<EventPage> {
    this.#open();
    const normalised = normaliseListQuery(query);
    return this.#use(() => listRows(this.#db, this.#context, normalised));
  }

  async countByStatus(): Promise<StatusCounts> {
    this.#open();
    const rows = await this.#use(() => countRows(this.#db, this.#context));
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, 0])) as StatusCounts;
    for (const [status, count] of rows) if (status in counts) counts[status as keyof StatusCounts] = count;
    return counts;
  }

  async listAttempts(eventId: string): Promise<DeliveryAttempt[]> {
    this.#open();
    checkEventId(eventId, 'eventId');
    return this.#use(() => listAttemptRows(this.#db, this.#context, eventId));
  }

  async listDue(options: ListDueOptions = {}): Promise<WebhookEvent[]> {
    this.#open();
    checkObject(options);
    const limit = checkDueLimit(options.limit);
    const now = options.now === undefined ? this.#now() : checkNow(options.now);
    const bound = this.#boundFor(now);
    return this.#use(() => listDueRows(this.#db, this.#context, now, bound, limit));
  }

  async claimDue(options: ClaimOptions): Promise<WebhookEvent[]> {
    this.#open();
    checkClaimOptions(options);
    const now = options.now === undefined ? this.#now() : checkNow(options.now);
    const request = {
      workerId: options.workerId,
      limit: options.limit,
      now,
      bound: this.#boundFor(now),
      lockedUntil: new Date(now.getTime() + options.leaseMs),
    };
    return this.#use(() => claimDueRows(this.#db, this.#context, request));
  }

  async claimById(id: string, options: ClaimByIdOptions): Promise<WebhookEvent | undefined> {
    this.#open();
    checkEventId(id);
    checkObject(options);
    const workerId = checkWorkerId(options.workerId);
    const leaseMs = checkLeaseMs(options.leaseMs);
    const now = options.now === undefined ? this.#now() : checkNow(options.now);
    const request = { id, workerId, now, lockedUntil: new Date(now.getTime() + leaseMs) };
    return this.#use(() => claimRowById(this.#db, this.#context, request));
  }

  recordOutcome(outcome: AttemptOutcome): Promise<RecordResult> {
    return this.#record([outcome], false).then((results) => results[0]!);
  }

  async recordOutcomes(
    outcomes: readonly AttemptOutcome[],
    options?: RecordOutcomesOptions,
  ): Promise<RecordResult[]> {
    return this.#record(outcomes, true, checkReturnEvents(options));
  }

  async releaseLeases(ids: readonly string[], workerId: string): Promise<number> {
    this.#open();
    if (!Array.isArray(ids))
      throw new InvalidInputError('ids must be an array', { details: { field: 'ids' } });
    for (const [index, id] of ids.entries()) checkEventId(id, `ids[${index}]`);
    checkWorkerId(workerId);
    const request = { ids: [...new Set(ids)], workerId, now: this.#now() };
    const released = await this.#use(() => releaseRows(this.#db, this.#context, request));
    if (released > 0) this.#notifier.wake();
    return released;
  }

  async replay(selector: ReplaySelector, options: ReplayOptions): Promise<ReplayReport> {
    this.#open();
    const replay = normaliseReplay(selector, options);
    const now = options.now === undefined ? this.#now() : checkNow(options.now);
    const report = await this.#use(() =>
      replay.dryRun
        ? replayRows(this.#db, this.#context, replay, now)
        : this.#db.transaction().execute((trx) => replayRows(trx, this.#context, replay, now)),
    );
    if (report.replayed > 0) this.#notifier.wake();
    return report;
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    this.#open();
    const { olderThan, statuses } = normalisePrune(options);
    return this.#use(() => pruneRows(this.#db, this.#context, olderThan, statuses));
  }

  async transaction<T, TxDB = unknown>(work: (tx: PostgresStoreTransaction<TxDB>) => Promise<T>): Promise<T> {
    this.#open();
    if (typeof work !== 'function') {
      throw new InvalidInputError('work must be a function', { details: { field: 'work' } });
    }
    await this.init();
    while (this.#transactionDone !== undefined) await this.#transactionDone;
    this.#open();
    const running = runPostgresTransaction(
      {
        root: this.#root,
        context: this.#context,
        prepare: (event, field) =>
          preparePostgresEvent(prepareNewEvent(event, this.#now(), this.#settings.maxPayloadBytes), field),
        prepareMany: (events) => this.#prepareMany(events),
        fail: (error) => toStoreError(error, this.#scrub),
      },
      work as (tx: StoreTransaction) => Promise<T>,
    );
    const done = running.catch(() => undefined);
    this.#transactionDone = done;
    this.#inflight.add(done);
    try {
      const { value, created } = await running;
      if (created) this.#notifier.wake();
      return value;
    } finally {
      this.#inflight.delete(done);
      if (this.#transactionDone === done) this.#transactionDone = undefined;
    }
  }

  async listEndpoints(query?: ListEndpointsQuery): Promise<EndpointHealth[]> {
    this.#open();
    const { states, limit } = normaliseEndpointQuery(query);
    return this.#use(() => listEndpointRows(this.#db, this.#context, states, limit));
  }

  async recordEndpointResults(
    results: readonly EndpointResult[],
    policy?: EndpointHealthPolicy,
  ): Promise<EndpointResultsReport> {
    this.#open();
    const { grouped, policy: checked, now } = prepareEndpointRecording(results, policy, () => this.#now());
    if (grouped.size === 0) return { endpoints: [], disabled: [] };
    return this.#use(() =>
      this.#db.transaction().execute((trx) => recordEndpointRows(trx, this.#context, grouped, checked, now)),
    );
  }

  async enableEndpoint(
    url: string,
    options: EnableEndpointOptions = {},
  ): Promise<EndpointHealth | undefined> {
    this.#open();
    const now = prepareEndpointEnable(url, options, () => this.#now());
    const enabled = await this.#use(() =>
      this.#db.transaction().execute((trx) => enableEndpointRow(trx, this.#context, url, now)),
    );
    if (enabled !== undefined) this.#notifier.wake();
    return enabled;
  }

  subscribe(listener: () => void): Unsubscribe {
    this.#open();
    if (typeof listener !== 'function') {
      throw new InvalidInputError('listener must be a function', { details: { field: 'listener' } });
    }
    return this.#notifier.subscribe(listener);
  }

  whenListening(): Promise<void> {
    return this.#notifier.whenListening();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#notifier.close();
      await Promise.allSettled([...this.#inflight]);
      if (this.#owned) await this.#db.destroy();
    })();
    return this.#closing;
  }

  async #record(
    outcomes: readonly AttemptOutcome[],
    many: boolean,
    returnEvents = true,
  ): Promise<RecordResult[]> {
    this.#open();
    const prepared = preparePostgresOutcomes(outcomes, many);
    if (prepared.length === 0) return [];
    const now = this.#now();
    const record = (db: Kysely<HooksDatabase>) =>
      recordOutcomeRows(db, this.#context, prepared, now, returnEvents);
    const results = await this.#use(() =>
      needsTransaction(prepared) ? this.#db.transaction().execute(record) : record(this.#db),
    );
    if (results.some((result, index) => result.applied && prepared[index]!.kind === 'retry')) {
      this.#notifier.wake();
    }
    return results;
  }

  #prepareMany(events: readonly NewWebhookEvent[]): PreparedEvent[] {
    return preparePostgresEvents(events, this.#now(), this.#settings.maxPayloadBytes);
  }

  #open(): void {
    if (this.#closing !== undefined) throw new HooksError('HOOKS_ERR_CLOSED', 'the store is closed');
  }

  #now(): Date {
    const value: unknown = this.#settings.clock();
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new ConfigurationError('clock must return a valid Date', { details: { field: 'clock' } });
    }
    return new Date(value.getTime());
  }

  /** The later of `now` and the store clock: the upper end of a due-row index scan. */
  #boundFor(now: Date): Date {
    const clock = this.#now();
    return clock.getTime() > now.getTime() ? clock : now;
  }

  /** Creates or checks the schema once (retried on the next call if it failed). */
  #ready(): Promise<void> {
    this.#initialised ??= (async () => {
      const db = this.#db as unknown as Kysely<unknown>;
      if (this.#settings.migrate === 'check') await checkMigrations(db, this.schema);
      else await applyMigrations(db, this.schema);
    })().catch((error: unknown) => {
      this.#initialised = undefined;
      throw error;
    });
    return this.#initialised;
  }

  /** Runs `work` after init, tracked so `close()` waits for it, mapping failures to `HooksError`s. */
  async #use<T>(work: () => Promise<T>, needsSchema = true): Promise<T> {
    this.#open();
    const task = (async () => {
      while (this.#transactionDone !== undefined) await this.#transactionDone;
      if (needsSchema) await this.#ready();
      return await work();
    })();
    this.#inflight.add(task);
    try {
      return await task;
    } catch (error) {
      throw toStoreError(error, this.#scrub);
    } finally {
      this.#inflight.delete(task);
    }
  }
}
