import type { WebhookEvent } from '@hooks/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { DATABASE_URL, requirePostgres, skipPostgres, trackTestStores } from './postgres-test-database.js';

// insertMany and recordOutcomes go out as named prepared statements on pools the store wraps (parsed and
// planned once per connection); `preparedStatements: false` sends them unnamed.

const stores = trackTestStores();

async function preparedNames(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    "select name from pg_prepared_statements where name like 'hooks\\_%' order by name",
  );
  return rows.map((row) => row.name);
}

/** Inserts `count` leased events and delivers them, `rounds` times; returns what every call gave back. */
async function deliverRounds(store: PostgresStore, rounds: number): Promise<WebhookEvent[]> {
  const delivered: WebhookEvent[] = [];
  for (let round = 0; round < rounds; round++) {
    const inserted = await store.insertMany(
      Array.from({ length: 3 }, (_, index) => ({
        eventType: 'prepared',
        payload: { round, index },
        targetUrl: 'https://receiver.example.test/hook',
        lease: { workerId: 'w', leaseMs: 60_000 },
      })),
    );
    const now = new Date();
    const results = await store.recordOutcomes(
      inserted.map(({ event }) => ({
        eventId: event.id,
        workerId: 'w',
        attemptNumber: 1,
        attempt: { startedAt: now, finishedAt: now, responseStatus: 200 },
        result: { kind: 'delivered' as const },
      })),
    );
    expect(results.every((result) => result.applied)).toBe(true);
    for (const result of results) delivered.push(result.event!);
  }
  return delivered;
}

describe.skipIf(skipPostgres)('prepared statements', () => {
  requirePostgres();

  it('prepares the insert and the outcome statement once per connection; results stay exact past plan caching', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      const store = stores.track(createPostgresStore({ pool, schema: stores.schema(), listen: false }));
      // Eight rounds: PostgreSQL switches a prepared statement to its cached generic plan after five.
      const delivered = await deliverRounds(store, 8);
      expect(delivered).toHaveLength(24);
      for (const event of delivered) expect({ ...event }).toEqual({ ...(await store.get(event.id)) });
      expect(await store.countByStatus()).toMatchObject({ delivered: 24, pending: 0 });
      expect(await preparedNames(pool)).toHaveLength(2);
      await store.close();
    } finally {
      await pool.end();
    }
  });

  it('sends them unnamed with preparedStatements: false, and refuses a non-boolean', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      const store = stores.track(
        createPostgresStore({ pool, schema: stores.schema(), listen: false, preparedStatements: false }),
      );
      expect(await deliverRounds(store, 2)).toHaveLength(6);
      expect(await preparedNames(pool)).toEqual([]);
      await store.close();
    } finally {
      await pool.end();
    }
    expect(() =>
      createPostgresStore({ connectionString: DATABASE_URL, preparedStatements: 'yes' as never }),
    ).toThrow(/preparedStatements must be a boolean/);
  });
});
