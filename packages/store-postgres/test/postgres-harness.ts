import type { RawEndpointRow, RawEventRow, StoreHarness } from '@hooks/store-conformance';
import pg from 'pg';
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../src/index.js';
import { DATABASE_URL, dropSchema, uniqueSchema } from './postgres-test-database.js';

interface RawRow {
  id: string;
  event_type: string;
  payload: unknown;
  target_url: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  next_retry_at: Date | null;
  last_attempt_at: Date | null;
  last_error: string | null;
  response_status: number | null;
  response_body: string | null;
  delivered_at: Date | null;
  inserted_at: Date;
  updated_at: Date;
  replay_count: number;
  locked_by: string | null;
  locked_until: Date | null;
  idempotency_key: string | null;
}

function toRaw(row: RawRow): RawEventRow {
  return {
    id: row.id,
    eventType: row.event_type,
    payload: row.payload,
    targetUrl: row.target_url,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextRetryAt: row.next_retry_at,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    deliveredAt: row.delivered_at,
    insertedAt: row.inserted_at,
    updatedAt: row.updated_at,
    replayCount: row.replay_count,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    idempotencyKey: row.idempotency_key,
  };
}

interface RawEndpoint {
  url: string;
  consecutive_failures: number;
  failing_since: Date | null;
  last_failure_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  updated_at: Date;
}

function toRawEndpoint(row: RawEndpoint): RawEndpointRow {
  return {
    url: row.url,
    consecutiveFailures: row.consecutive_failures,
    failingSince: row.failing_since,
    lastFailureAt: row.last_failure_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    updatedAt: row.updated_at,
  };
}

/** Extra store options for a harness (the schema and connection are chosen by the harness). */
export type HarnessStoreOptions = Omit<PostgresStoreOptions, 'connectionString' | 'pool' | 'db' | 'schema'>;

/**
 * A conformance harness on a fresh schema of the test database: the store and every peer have their own
 * pools, raw reads go through separate pg connections, and cleanup closes everything and drops the schema.
 */
export async function createPostgresHarness(
  options: HarnessStoreOptions = {},
): Promise<StoreHarness & { schema: string }> {
  const schema = uniqueSchema();
  const open = (): PostgresStore =>
    createPostgresStore({ ...options, connectionString: DATABASE_URL, schema, poolSize: 4 });
  const store = open();
  try {
    await store.init();
  } catch (error) {
    await store.close();
    await dropSchema(schema);
    throw error;
  }
  const peers: PostgresStore[] = [];
  // Raw reads bypass the store: their own small pool (the suite reads several rows at once).
  const client = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  client.on('error', () => undefined);
  const events = `"${schema}".hooks_events`;
  const attempts = `"${schema}".hooks_attempts`;
  const endpoints = `"${schema}".hooks_endpoints`;
  return {
    schema,
    store,
    async openPeer() {
      const peer = open();
      peers.push(peer);
      await peer.init();
      return peer;
    },
    raw: {
      async event(id) {
        const { rows } = await client.query<RawRow>(`select * from ${events} where id = $1`, [id]);
        return rows[0] === undefined ? undefined : toRaw(rows[0]);
      },
      async countEvents() {
        const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${events}`);
        return rows[0]!.n;
      },
      async countAttempts(eventId) {
        const { rows } =
          eventId === undefined
            ? await client.query<{ n: number }>(`select count(*)::int as n from ${attempts}`)
            : await client.query<{ n: number }>(
                `select count(*)::int as n from ${attempts} where event_id = $1`,
                [eventId],
              );
        return rows[0]!.n;
      },
      async endpoint(url) {
        const { rows } = await client.query<RawEndpoint>(`select * from ${endpoints} where url = $1`, [url]);
        return rows[0] === undefined ? undefined : toRawEndpoint(rows[0]);
      },
    },
    async cleanup() {
      await Promise.allSettled([store.close(), ...peers.map((peer) => peer.close())]);
      await client.end().catch(() => undefined);
      await dropSchema(schema);
    },
  };
}
