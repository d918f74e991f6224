import { createHash } from 'node:crypto';
import type { Unsubscribe } from '@hooks/core';
import pg from 'pg';

/** Longest identifier PostgreSQL keeps (NAMEDATALEN - 1). */
const MAX_IDENTIFIER = 63;
/** First reconnect delay in milliseconds; doubles up to `MAX_BACKOFF_MS`. */
const FIRST_BACKOFF_MS = 50;
/** Longest reconnect delay in milliseconds. */
const MAX_BACKOFF_MS = 5_000;

/** The NOTIFY channel of a schema: `hooks_events_<schema>`, or a hash of it when that is too long. */
export function channelFor(schema: string): string {
  const plain = `hooks_events_${schema}`;
  if (plain.length <= MAX_IDENTIFIER) return plain;
  return `hooks_events_${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/** What a `PostgresNotifier` needs. */
export interface PostgresNotifierOptions {
  /** How to open the dedicated LISTEN connection; undefined means in-process wake-ups only. */
  clientConfig: pg.ClientConfig | undefined;
  /** The channel to LISTEN on. */
  channel: string;
  /** This store instance's id: notifications it sent itself carry it and are not fanned out twice. */
  instanceId: string;
}

/**
 * Fans wake-ups out to subscribers: directly for this instance's own writes, and through ONE dedicated
 * pg.Client that LISTENs for other instances' NOTIFYs. The client is opened on the first subscribe,
 * reconnects with exponential backoff when the connection drops, wakes every listener each time LISTEN
 * starts (notifications sent before were missed), and is closed by `close()`.
 */
export class PostgresNotifier {
  readonly #options: PostgresNotifierOptions;
  readonly #listeners = new Set<() => void>();
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #started = false;
  #closed = false;
  #ready: Promise<void> | undefined;
  #resolveReady: (() => void) | undefined;

  constructor(options: PostgresNotifierOptions) {
    this.#options = options;
  }

  /** Adds a listener; opens the LISTEN connection on first use. */
  subscribe(listener: () => void): Unsubscribe {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const entry = () => listener();
    this.#listeners.add(entry);
    this.#start();
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Resolves once the LISTEN connection opened by `subscribe` is up (at once when none is being opened). */
  whenListening(): Promise<void> {
    if (!this.#started || this.#closed) return Promise.resolve();
    this.#ready ??= new Promise<void>((resolve) => {
      this.#resolveReady = resolve;
    });
    return this.#ready;
  }

  /** Calls every listener soon (in a microtask): for this instance's own writes, or after a reconnect. */
  wake(): void {
    for (const listener of this.#listeners) {
      queueMicrotask(() => {
        if (!this.#listeners.has(listener)) return;
        try {
          listener();
        } catch {
          // A listener's failure must not stop the others from waking.
        }
      });
    }
  }

  /** Stops reconnecting and closes the LISTEN connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#resolveReady?.();
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await client.end().catch(() => undefined);
  }

  #start(): void {
    if (this.#started || this.#closed || this.#options.clientConfig === undefined) return;
    this.#started = true;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed || this.#options.clientConfig === undefined) return;
    const client = new pg.Client({
      application_name: 'hooks-listener',
      keepAlive: true,
      ...this.#options.clientConfig,
    });
    this.#client = client;
    client.on('notification', (message) => {
      if (message.channel === this.#options.channel && message.payload !== this.#options.instanceId) {
        this.wake();
      }
    });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#options.channel}"`);
    } catch {
      this.#lost(client);
      return;
    }
    if (this.#closed || this.#client !== client) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#failures = 0;
    // Rows other instances wrote before LISTEN was up (or while it was down) were notified to no one: wake
    // everyone so they look. Queued before `whenListening` resolves, so its callers see this wake first.
    this.wake();
    this.#resolveReady?.();
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.#closed) return;
    if (this.#listeners.size === 0) {
      // Nobody to wake: stop here; the next subscribe opens a connection again.
      this.#started = false;
      this.#failures = 0;
      return;
    }
    const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.#failures);
    this.#failures += 1;
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
  }
}
