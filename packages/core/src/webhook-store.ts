import type { AttemptReport, DeliveryAttempt } from './delivery-attempt.js';
import type { DeliveryStatus, TerminalStatus } from './delivery-status.js';
import type {
  EnableEndpointOptions,
  EndpointHealth,
  EndpointHealthPolicy,
  EndpointResult,
  EndpointResultsReport,
  ListEndpointsQuery,
} from './endpoint-health.js';
import type { InsertResult, NewWebhookEvent, WebhookEvent } from './webhook-event.js';

/** Filters and paging for `WebhookStore.list`. */
export interface ListEventsQuery {
  /** Only rows with this status (or any of these). */
  status?: DeliveryStatus | readonly DeliveryStatus[];
  /** Only rows of this event type (or any of these). */
  eventType?: string | readonly string[];
  /** Only rows inserted at or after this time. */
  since?: Date;
  /** Only rows inserted before this time. */
  until?: Date;
  /** Page size, 1 to 1000; default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /** `desc` (newest first, default) or `asc`. */
  order?: 'asc' | 'desc';
}

/** One page of events. */
export interface EventPage {
  /** The rows of this page. */
  items: WebhookEvent[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Options of `WebhookStore.listDue`. */
export interface ListDueOptions {
  /** The time to compare `nextRetryAt` with; default now. */
  now?: Date;
  /** At most this many rows (1 to 1000); default 100. */
  limit?: number;
}

/** Options of `WebhookStore.claimDue`. */
export interface ClaimOptions {
  /** The claiming worker's id (unique per process). */
  workerId: string;
  /** At most this many rows (1 to 1000). */
  limit: number;
  /** Lease length in milliseconds (1 ms to 24 h). */
  leaseMs: number;
  /** The claim's notion of now; default the store's clock. */
  now?: Date;
}

/** Options of `WebhookStore.claimById`. */
export interface ClaimByIdOptions {
  /** The claiming worker's id. */
  workerId: string;
  /** Lease length in milliseconds. */
  leaseMs: number;
  /** The claim's notion of now; default the store's clock. */
  now?: Date;
}

/** What became of one attempt. */
export type OutcomeResult =
  | { kind: 'delivered' }
  | { kind: 'retry'; nextRetryAt: Date }
  | { kind: 'failed' }
  | { kind: 'skipped'; reason: string };

/** An attempt's outcome as reported by the worker that held the lease. */
export interface AttemptOutcome {
  /** The event. */
  eventId: string;
  /** The worker that claimed the row; the outcome is refused if another worker holds (or held) it since. */
  workerId: string;
  /** The attempt's number: the row's `attempts` + 1 at claim time (a fencing token). */
  attemptNumber: number;
  /** What the attempt did. */
  attempt: AttemptReport;
  /** What the row becomes. */
  result: OutcomeResult;
}

/** What recording one outcome did. */
export interface RecordResult {
  /** The event. */
  eventId: string;
  /** False when the lease was lost (another worker took the row, or it was already settled): nothing changed. */
  applied: boolean;
  /** The row as it is now (undefined when it no longer exists, or when `returnEvents: false` was asked). */
  event: WebhookEvent | undefined;
  /**
   * When the store recorded the outcome: an applied outcome's row now has this `updatedAt`, so
   * `settledEvent(leasedRow, outcome, recordedAt)` is the row without reading it back.
   */
  recordedAt: Date;
}

/** Options of `recordOutcomes`. */
export interface RecordOutcomesOptions {
  /**
   * Return each row as it now stands in `RecordResult.event` (default true). With false every `event` is
   * undefined and the store skips reading the rows back (their payloads above all): for callers that only
   * need `applied`, or that build the rows they need with `settledEvent` (as the engine does).
   */
  readonly returnEvents?: boolean;
}

/** Which terminal rows a replay selects: at least one of ids, eventType, targetUrl or a time bound. */
export interface ReplaySelector {
  /** Exactly these events. */
  ids?: readonly string[];
  /** Events of this type (or any of these). */
  eventType?: string | readonly string[];
  /** Events whose `targetUrl` is exactly this URL (or any of these): one endpoint's failures, say. */
  targetUrl?: string | readonly string[];
  /** Terminal statuses to select; default `['failed']`. */
  status?: TerminalStatus | readonly TerminalStatus[];
  /** Inserted at or after this time. */
  since?: Date;
  /** Inserted before this time. */
  until?: Date;
}

/** Options of `WebhookStore.replay`. */
export interface ReplayOptions {
  /** Required bound on how many rows are considered (1 to 10000). */
  limit: number;
  /** Rows replayed this many times already are refused (default 5, 0 to 1000). */
  maxReplays?: number;
  /** List what would be replayed without changing anything. */
  dryRun?: boolean;
  /** The replay's notion of now; default the store's clock. */
  now?: Date;
}

/** One row a replay looked at. */
export interface ReplayCandidate {
  /** The event id. */
  id: string;
  /** The event type. */
  eventType: string;
  /** Its status before the replay. */
  status: DeliveryStatus;
  /** Its replay count before the replay. */
  replayCount: number;
  /** When it was inserted. */
  insertedAt: Date;
  /** False when the replay cap refused it. */
  eligible: boolean;
}

/** What a replay did (or, in a dry run, would do). */
export interface ReplayReport {
  /** True for a dry run: nothing changed. */
  dryRun: boolean;
  /** Rows the selector matched (within the limit). */
  matched: number;
  /** Rows under the replay cap. */
  eligible: number;
  /** Rows reset to pending (0 in a dry run). */
  replayed: number;
  /** Rows refused because they reached the replay cap. */
  skippedForCap: number;
  /** Every matched row, oldest first. */
  candidates: ReplayCandidate[];
}

/** Options of `WebhookStore.prune`. */
export interface PruneOptions {
  /** Delete rows (and attempt records) last updated before this time. */
  olderThan: Date;
  /** Statuses whose rows are deleted; default `['delivered']`. Pending rows are never pruned. */
  statuses?: readonly TerminalStatus[];
}

/** What a prune deleted. */
export interface PruneResult {
  /** Event rows deleted (with all their attempt records). */
  events: number;
  /** Attempt records deleted (those of deleted rows and those older than the cut-off). */
  attempts: number;
}

/** Counts of rows by status. */
export type StatusCounts = Record<DeliveryStatus, number>;

/**
 * Event writes bound to one database transaction: they commit or roll back together with the caller's own
 * writes made through `db` (the transactional outbox: a domain change and its events, never one without the other).
 */
export interface StoreTransaction {
  /** Inserts one event inside the transaction. */
  insert(event: NewWebhookEvent): Promise<InsertResult>;
  /** Inserts many events inside the transaction. */
  insertMany(events: readonly NewWebhookEvent[]): Promise<InsertResult[]>;
  /** The store's database handle bound to this transaction (a kysely `Transaction` for SQL stores; undefined in memory). */
  readonly db: unknown;
}

/** A function that stops a subscription. */
export type Unsubscribe = () => void;

/**
 * Where events and attempts live. Every store (memory, SQLite, Postgres) passes the same conformance suite.
 * All methods reject with a `HooksError` subclass: `InvalidInputError` for bad input (nothing written),
 * `StoreUnavailableError` when the database cannot be reached.
 */
export interface WebhookStore {
  /** Short store name (`memory`, `sqlite`, `postgres`). */
  readonly kind: string;
  /** Creates or migrates the schema (idempotent); other methods call it on first use. */
  init(): Promise<void>;
  /** Resolves when the store is reachable; rejects with `StoreUnavailableError` otherwise. */
  ping(): Promise<void>;
  /** Inserts one event (or returns the row with the same idempotency key). */
  insert(event: NewWebhookEvent): Promise<InsertResult>;
  /** Inserts many events in one transaction: all or none. */
  insertMany(events: readonly NewWebhookEvent[]): Promise<InsertResult[]>;
  /** The row with this id, or undefined. */
  get(id: string): Promise<WebhookEvent | undefined>;
  /** Rows matching the filters, one page at a time, ordered by id (time order). */
  list(query?: ListEventsQuery): Promise<EventPage>;
  /** Number of rows per status. */
  countByStatus(): Promise<StatusCounts>;
  /** Attempt records of one event, oldest first. */
  listAttempts(eventId: string): Promise<DeliveryAttempt[]>;
  /** Pending rows with attempts left, due now, not leased; oldest first. */
  listDue(options?: ListDueOptions): Promise<WebhookEvent[]>;
  /** Atomically leases up to `limit` due rows (including rows whose lease expired) to one worker. */
  claimDue(options: ClaimOptions): Promise<WebhookEvent[]>;
  /** Leases one row if it is pending and not leased by another live worker (due or not); else undefined. */
  claimById(id: string, options: ClaimByIdOptions): Promise<WebhookEvent | undefined>;
  /** Records one attempt's outcome, appends its attempt record and releases the lease (fenced). */
  recordOutcome(outcome: AttemptOutcome): Promise<RecordResult>;
  /** Records many outcomes in one transaction (with `returnEvents: false`, results carry no rows). */
  recordOutcomes(
    outcomes: readonly AttemptOutcome[],
    options?: RecordOutcomesOptions,
  ): Promise<RecordResult[]>;
  /** Gives leased rows back untouched (e.g. on shutdown) so they are due again now; returns how many. */
  releaseLeases(ids: readonly string[], workerId: string): Promise<number>;
  /** Resets selected terminal rows to pending with `replayCount + 1`, in one transaction. */
  replay(selector: ReplaySelector, options: ReplayOptions): Promise<ReplayReport>;
  /** Deletes old terminal rows and old attempt records. */
  prune(options: PruneOptions): Promise<PruneResult>;
  /**
   * Runs `work` in one transaction: events inserted through `tx` are kept only if `work` resolves, together
   * with the caller's own writes on `tx.db`. The store's other operations wait until it ends.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** Calls `listener` when new work may be due (insert, replay, release, enable); across processes where the store can. */
  subscribe(listener: () => void): Unsubscribe;
  /** Endpoints (target URLs) the store keeps health for, ordered by URL: failing, disabled, or once failing. */
  listEndpoints(query?: ListEndpointsQuery): Promise<EndpointHealth[]>;
  /**
   * Applies attempt results per endpoint atomically (concurrent callers never lose a count): successes end a
   * failure streak, failures extend it, `gone` and the policy's thresholds disable the endpoint. Disabled
   * endpoints ignore results. Reports every named endpoint as it is now and those disabled by this call.
   */
  recordEndpointResults(
    results: readonly EndpointResult[],
    policy?: EndpointHealthPolicy,
  ): Promise<EndpointResultsReport>;
  /** Re-enables an endpoint (clears the streak and the disable), waking listeners; undefined when unknown. */
  enableEndpoint(url: string, options?: EnableEndpointOptions): Promise<EndpointHealth | undefined>;
  /** Releases connections the store opened itself (never a caller-provided client). */
  close(): Promise<void>;
}
