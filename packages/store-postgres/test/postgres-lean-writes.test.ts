import { normaliseListQuery, type WebhookEvent } from '@hooks/core';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, postgresMigrations } from '../src/postgres-migrations.js';
import { listQuery } from '../src/postgres-queries.js';
import type { HooksDatabase, PostgresContext } from '../src/postgres-schema.js';
import {
  DATABASE_URL,
  requirePostgres,
  skipPostgres,
  trackTestStores,
  withClient,
} from './postgres-test-database.js';

// Migration 0003: partial status and idempotency indexes, no foreign key from attempts to events (prune
// deletes attempts itself), attempts keyed by (event_id, id).

const stores = trackTestStores();

function openDb(): Kysely<HooksDatabase> {
  return new Kysely<HooksDatabase>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 1 }) }),
  });
}

function contextFor(schema: string): PostgresContext {
  return {
    schema,
    events: sql.table(`${schema}.hooks_events`),
    attempts: sql.table(`${schema}.hooks_attempts`),
    notify: sql`pg_notify('unused', '')`,
  };
}

async function indexDefinitions(schema: string): Promise<Map<string, string>> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ indexname: string; indexdef: string }>(
      'select indexname, indexdef from pg_indexes where schemaname = $1',
      [schema],
    );
    return new Map(rows.map((row) => [row.indexname, row.indexdef]));
  });
}

async function foreignKeys(schema: string): Promise<number> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_constraint c join pg_namespace n on n.oid = c.connamespace
       where n.nspname = $1 and c.contype = 'f'`,
      [schema],
    );
    return rows[0]!.n;
  });
}

async function orphanAttempts(schema: string): Promise<number> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from "${schema}".hooks_attempts a
       where not exists (select 1 from "${schema}".hooks_events e where e.id = a.event_id)`,
    );
    return rows[0]!.n;
  });
}

async function deliverAll(
  store: PostgresStore,
  rows: readonly WebhookEvent[],
  kind: 'delivered' | 'failed',
  now = new Date(),
) {
  const results = await store.recordOutcomes(
    rows.map((row) => ({
      eventId: row.id,
      workerId: row.lockedBy!,
      attemptNumber: row.attempts + 1,
      attempt: { startedAt: now, finishedAt: now, responseStatus: kind === 'delivered' ? 200 : 500 },
      result: { kind },
    })),
  );
  expect(results.every((result) => result.applied)).toBe(true);
}

describe.skipIf(skipPostgres)('migration 0003: leaner writes', () => {
  requirePostgres();

  it('upgrades a schema at 0002 and keeps its events, attempts and idempotency keys', async () => {
    const schema = stores.schema();
    const db = openDb();
    try {
      await sql`create schema ${sql.id(schema)}`.execute(db);
      const all = postgresMigrations(schema);
      const migrator = new Migrator({
        db,
        provider: {
          getMigrations: async () => ({
            '0001_events_and_attempts': all['0001_events_and_attempts']!,
            '0002_endpoints': all['0002_endpoints']!,
          }),
        },
        migrationTableSchema: schema,
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
      });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      expect(await foreignKeys(schema)).toBe(1);
      await sql`insert into ${sql.table(`${schema}.hooks_events`)} (id, event_type, payload, status, attempts,
        max_attempts, available_at, inserted_at, updated_at, idempotency_key, delivered_at)
        values ('evt_old_1', 'a', '{"k":1}', 'delivered', 1, 3, now(), now(), now(), 'key-1', now()),
               ('evt_old_2', 'b', '[]', 'failed', 3, 3, now(), now(), now(), null, null),
               ('evt_old_3', 'b', 'null', 'pending', 0, 3, now(), now(), now(), null, null)`.execute(db);
      await sql`insert into ${sql.table(`${schema}.hooks_attempts`)} (event_id, attempt_number, replay_count,
        started_at, finished_at, duration_ms, response_status)
        values ('evt_old_1', 1, 0, now(), now(), 5, 200), ('evt_old_2', 1, 0, now(), now(), 5, 500)`.execute(
        db,
      );
    } finally {
      await db.destroy();
    }
    const checking = stores.open({ schema, migrate: 'check' });
    await expect(checking.init()).rejects.toThrow(/0003_lean_writes/);

    const store = stores.open({ schema });
    await store.init();
    expect(await foreignKeys(schema)).toBe(0);
    const indexes = await indexDefinitions(schema);
    expect(indexes.get('hooks_events_status_idx')).toMatch(/WHERE \(status <> 'delivered'::text\)/);
    expect(indexes.get('hooks_events_idempotency_key_idx')).toMatch(
      /UNIQUE INDEX .* WHERE \(idempotency_key IS NOT NULL\)/,
    );
    expect(indexes.has('hooks_events_idempotency_key_key')).toBe(false);
    expect(indexes.get('hooks_attempts_pkey')).toMatch(/\(event_id, id\)/);
    expect(indexes.has('hooks_attempts_event_idx')).toBe(false);

    expect((await store.get('evt_old_1'))?.status).toBe('delivered');
    expect((await store.listAttempts('evt_old_1')).map((attempt) => attempt.responseStatus)).toEqual([200]);
    expect(await store.countByStatus()).toEqual({ pending: 1, delivered: 1, failed: 1, skipped: 0 });
    const again = await store.insert({ eventType: 'a', payload: 2, idempotencyKey: 'key-1' });
    expect(again).toMatchObject({ created: false, event: { id: 'evt_old_1', payload: { k: 1 } } });
    const [fresh, twin] = await store.insertMany([
      { eventType: 'c', payload: 3, idempotencyKey: 'key-2' },
      { eventType: 'c', payload: 4, idempotencyKey: 'key-2' },
    ]);
    expect([fresh?.created, twin?.created, twin?.event.id]).toEqual([true, false, fresh?.event.id]);
    expect((await store.list({ status: 'failed' })).items.map((event) => event.id)).toEqual(['evt_old_2']);
  });

  it('prune deletes the attempts of the events it deletes (no orphans without the foreign key)', async () => {
    const store = stores.open();
    await store.insertMany(
      Array.from({ length: 6 }, (_, index) => ({ eventType: `t${index % 2}`, payload: { index } })),
    );
    const claimed = await store.claimDue({ workerId: 'w', limit: 6, leaseMs: 60_000 });
    // The delivered rows' attempts finish after `olderThan`: they stay while their events do.
    await deliverAll(store, claimed.slice(0, 3), 'delivered', new Date(Date.now() + 3_600_000));
    await deliverAll(store, claimed.slice(3, 5), 'failed');
    expect(await store.countByStatus()).toEqual({ pending: 1, delivered: 3, failed: 2, skipped: 0 });

    const future = new Date(Date.now() + 60_000);
    const failedOnly = await store.prune({ olderThan: new Date(Date.now() - 60_000), statuses: ['failed'] });
    expect(failedOnly).toEqual({ events: 0, attempts: 0 });
    const pruned = await store.prune({ olderThan: future, statuses: ['failed'] });
    expect(pruned.events).toBe(2);
    expect(await orphanAttempts(store.schema)).toBe(0);
    expect(await store.countByStatus()).toEqual({ pending: 1, delivered: 3, failed: 0, skipped: 0 });
    expect(await store.listAttempts(claimed[0]!.id)).toHaveLength(1);

    await store.prune({ olderThan: future, statuses: ['delivered'] });
    expect(await orphanAttempts(store.schema)).toBe(0);
    expect(await store.countByStatus()).toEqual({ pending: 1, delivered: 0, failed: 0, skipped: 0 });
  });

  it('lists pending, failed or skipped rows through the partial status index, delivered ones in id order', async () => {
    const store = stores.open();
    await store.init();
    const schema = store.schema;
    await withClient(async (client) => {
      await client.query(`
        insert into "${schema}".hooks_events (id, event_type, payload, status, max_attempts, available_at,
          inserted_at, updated_at, attempts)
        select 'evt_' || lpad(n::text, 8, '0'), 'bulk', '{}'::jsonb,
               case when n % 50 = 0 then 'failed' else 'delivered' end, 8, now(), now(), now(), 1
        from generate_series(1, 20000) as n`);
      await client.query(`analyze "${schema}".hooks_events`);
    });
    const db = openDb();
    try {
      const plan = async (query: Parameters<typeof normaliseListQuery>[0]) => {
        const rows = await listQuery(db, contextFor(schema), normaliseListQuery(query)).explain();
        return rows.map((row) => String(row['QUERY PLAN'])).join('\n');
      };
      for (const query of [{ status: 'failed' }, { status: ['failed', 'skipped'], order: 'asc' }] as const) {
        const walked = await plan(query);
        expect(walked).toContain('on hooks_events_status_idx');
        expect(walked).not.toContain('Seq Scan');
      }
      expect(await plan({ status: 'delivered' })).toMatch(/Index Scan (Backward )?using hooks_events_pkey/);
    } finally {
      await db.destroy();
    }
    expect(
      (await store.list({ status: 'failed', limit: 2, order: 'asc' })).items.map((event) => event.id),
    ).toEqual(['evt_00000050', 'evt_00000100']);
    expect((await store.list({ status: 'delivered', limit: 1, order: 'asc' })).items[0]?.id).toBe(
      'evt_00000001',
    );
    expect(await store.countByStatus()).toEqual({ pending: 0, delivered: 19_600, failed: 400, skipped: 0 });
  });
});
