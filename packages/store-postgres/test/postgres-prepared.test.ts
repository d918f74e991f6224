import type { WebhookEvent } from '@hooks/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { outcomeStatement } from '../src/postgres-outcomes.js';
import {
  DATABASE_URL,
  requirePostgres,
  skipPostgres,
  trackTestStores,
  withClient,
} from './postgres-test-database.js';

// insertMany's INSERT goes out as a named prepared statement on pools the store wraps (parsed and planned
// once per connection); `preparedStatements: false` sends it unnamed. recordOutcomes' UPDATE is never
// prepared (its plan depends on table sizes) and finds its rows by primary key whatever the statistics say.

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

  it('prepares the insert once per connection (not the outcome statement); results stay exact past plan caching', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      const store = stores.track(createPostgresStore({ pool, schema: stores.schema(), listen: false }));
      // Eight rounds: PostgreSQL switches a prepared statement to its cached generic plan after five.
      const delivered = await deliverRounds(store, 8);
      expect(delivered).toHaveLength(24);
      for (const event of delivered) expect({ ...event }).toEqual({ ...(await store.get(event.id)) });
      expect(await store.countByStatus()).toMatchObject({ delivered: 24, pending: 0 });
      expect(await preparedNames(pool)).toHaveLength(1);
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

describe.skipIf(skipPostgres)('the outcome statement plan', () => {
  requirePostgres();

  it('finds the rows by primary key, never by walking the claim or status index', async () => {
    const store = stores.open();
    const inserted = await store.insertMany(
      Array.from({ length: 5 }, (_, index) => ({
        eventType: 'plan',
        payload: index,
        lease: { workerId: 'w', leaseMs: 60_000 },
      })),
    );
    const schema = store.schema;
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 1 }) }),
    });
    try {
      const statement = outcomeStatement(db, {
        schema,
        events: sql.table(`${schema}.hooks_events`),
        attempts: sql.table(`${schema}.hooks_attempts`),
        notify: sql`pg_notify('unused', '')`,
      });
      const run = JSON.stringify(
        inserted.map(({ event }) => ({
          id: event.id,
          w: 'w',
          a: 1,
          s: 'delivered',
          sa: new Date(),
          fa: new Date(),
          d: 1,
        })),
      );
      const plan = await withClient(async (client) => {
        // Many delivered rows and a claim index of five pending ones: walking that index looks cheap.
        await client.query(`
          insert into "${schema}".hooks_events (id, event_type, payload, status, max_attempts, available_at,
            inserted_at, updated_at, attempts)
          select 'evt_' || lpad(n::text, 8, '0'), 'bulk', '{}'::jsonb, 'delivered', 8, now(), now(), now(), 1
          from generate_series(1, 20000) as n`);
        await client.query(`analyze "${schema}".hooks_events`);
        const { rows } = await client.query(`explain ${statement.text}`, [
          run,
          new Date(),
          ...statement.rest,
        ]);
        return rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/(on|using) hooks_events_pkey/);
      expect(plan).not.toContain('hooks_events_claim_idx');
      expect(plan).not.toContain('hooks_events_status_idx');
    } finally {
      await db.destroy();
    }
  });
});
