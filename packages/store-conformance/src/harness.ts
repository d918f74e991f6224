import type { WebhookStore } from '@hooks/core';

/** A row as it sits in the database, read directly (not through the store), normalised to JS types. */
export interface RawEventRow {
  /** The event id. */
  id: string;
  /** The event type. */
  eventType: string;
  /** The payload, parsed from its stored JSON. */
  payload: unknown;
  /** The receiver's URL, or null. */
  targetUrl: string | null;
  /** The stored status text. */
  status: string;
  /** Attempts made since the last replay. */
  attempts: number;
  /** Attempts allowed. */
  maxAttempts: number;
  /** When the next attempt is due; null = due now. */
  nextRetryAt: Date | null;
  /** When the last attempt started. */
  lastAttemptAt: Date | null;
  /** The last error or skip reason. */
  lastError: string | null;
  /** HTTP status of the last response. */
  responseStatus: number | null;
  /** Start of the last response body. */
  responseBody: string | null;
  /** When the event was delivered. */
  deliveredAt: Date | null;
  /** When the row was inserted. */
  insertedAt: Date;
  /** When the row last changed. */
  updatedAt: Date;
  /** How many times the event was replayed. */
  replayCount: number;
  /** Worker holding the lease, or null. */
  lockedBy: string | null;
  /** When the lease expires, or null. */
  lockedUntil: Date | null;
  /** The caller's idempotency key, or null. */
  idempotencyKey: string | null;
}

/** An endpoint health row as it sits in the database, read directly, normalised to JS types. */
export interface RawEndpointRow {
  /** The target URL (the key). */
  url: string;
  /** Failed attempts since the last success or enable. */
  consecutiveFailures: number;
  /** When the failure streak began. */
  failingSince: Date | null;
  /** When the last failed attempt finished. */
  lastFailureAt: Date | null;
  /** When the last success finished. */
  lastSuccessAt: Date | null;
  /** Why the last attempt failed. */
  lastError: string | null;
  /** When the endpoint was disabled, or null. */
  disabledAt: Date | null;
  /** Why it was disabled, or null. */
  disabledReason: string | null;
  /** When the row last changed. */
  updatedAt: Date;
}

/** What a store's test file gives the suite for each test: a fresh, empty store and direct access to its data. */
export interface StoreHarness {
  /** A fresh, empty, initialised store. */
  store: WebhookStore;
  /** Another store instance over the SAME data through its own connection(s) (memory: may return `store`). */
  openPeer(): Promise<WebhookStore>;
  /** Reads what the store wrote directly from the database (SQL / internal maps), not through the store. */
  raw: {
    /** The row with this id as stored, or undefined. */
    event(id: string): Promise<RawEventRow | undefined>;
    /** How many event rows are stored. */
    countEvents(): Promise<number>;
    /** How many attempt records are stored (of one event, or of all). */
    countAttempts(eventId?: string): Promise<number>;
    /** The endpoint health row of this URL as stored, or undefined. */
    endpoint(url: string): Promise<RawEndpointRow | undefined>;
  };
  /** Closes everything opened by setup (peers included) and drops temp files / schemas. */
  cleanup(): Promise<void>;
}

/** What `describeStore` needs to run the conformance suite against one store. */
export interface DescribeStoreOptions {
  /** Suite name, e.g. 'sqlite'. */
  name: string;
  /** Called before each test. */
  setup(): Promise<StoreHarness>;
  /** True when peers are real separate connections, so concurrency tests are meaningful across them. */
  realConcurrency: boolean;
}

/** What every suite file gets: the options and the harness of the test that is running. */
export interface SuiteContext {
  /** The options given to `describeStore`. */
  readonly options: DescribeStoreOptions;
  /** The harness set up for the running test (throws outside a test). */
  harness(): StoreHarness;
}
