import { ConfigurationError, InvalidInputError } from '@hooks/core';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStore, migratePostgresStore, type PostgresStore } from '../src/index.js';
import { claimDueQuery } from '../src/postgres-claim.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, postgresMigrations } from '../src/postgres-migrations.js';
import { channelFor } from '../src/postgres-notifier.js';
import {
  DATABASE_URL,
  requirePostgres,
  skipPostgres,
  type TestStoreOptions,
  trackTestStores,
  withClient,
} from './postgres-test-database.js';

const stores = trackTestStores();
const freshSchema = stores.schema;
const track = stores.track;

function open(schema: string, extra: TestStoreOptions = {}): PostgresStore {
  return stores.open({ ...extra, schema });
}

async function tablesIn(schema: string): Promise<string[]> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by table_name',
      [schema],
    );
    return rows.map((row) => row.table_name);
  });
}

describe.skipIf(skipPostgres)('postgres-specific behaviour', () => {
  requirePostgres();

  it('creates its tables and migration tables inside a custom schema, and nothing in public', async () => {
    const schema = freshSchema();
    const publicBefore = await tablesIn('public');
    const store = open(schema);
    await store.insert({ eventType: 'custom.schema', payload: { ok: true } });
    expect(await tablesIn(schema)).toEqual([
      'hooks_attempts',
      'hooks_endpoints',
      'hooks_events',
      'hooks_migrations',
      'hooks_migrations_lock',
    ]);
    expect(await tablesIn('public')).toEqual(publicBefore);
    expect(store.schema).toBe(schema);
    expect(store.channel).toBe(`hooks_events_${schema}`);
    const count = await withClient(async (client) => {
      const { rows } = await client.query(`select count(*)::int as n from "${schema}".hooks_events`);
      return rows[0].n as number;
    });
    expect(count).toBe(1);
  });

  it('refuses schema names that are not plain lower-case identifiers', () => {
    for (const schema of [
      'Upper',
      'has-dash',
      'a;drop table x',
      '',
      '1starts_with_digit',
      'pg_reserved',
      'x'.repeat(64),
    ]) {
      expect(() => createPostgresStore({ connectionString: DATABASE_URL, schema })).toThrow(
        ConfigurationError,
      );
    }
    expect(channelFor('s'.repeat(63))).toMatch(/^hooks_events_[0-9a-f]{40}$/);
  });

  it('refuses options without exactly one of connectionString, pool or db, and freezes what it keeps', () => {
    expect(() => createPostgresStore({} as never)).toThrow(/exactly one of connectionString, pool or db/);
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    expect(() => createPostgresStore({ connectionString: DATABASE_URL, pool } as never)).toThrow(
      ConfigurationError,
    );
    void pool.end();
    expect(() => createPostgresStore({ connectionString: DATABASE_URL, poolSize: 0 })).toThrow(/poolSize/);
    expect(() => createPostgresStore({ connectionString: DATABASE_URL, migrate: 'never' as never })).toThrow(
      /migrate/,
    );
    const options = { connectionString: DATABASE_URL, schema: freshSchema() };
    const store = open(options.schema);
    options.schema = 'changed_later';
    expect(store.schema).not.toBe('changed_later');
  });

  it('never ends a caller-provided pool: close() leaves it usable', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
    try {
      const store = track(createPostgresStore({ pool, schema: freshSchema() }));
      await store.insert({ eventType: 'pool.owned', payload: 1 });
      await store.close();
      const { rows } = await pool.query('select 1 as one');
      expect(rows[0].one).toBe(1);
      expect(pool.ended).toBe(false);
    } finally {
      await pool.end();
    }
  });

  it('works through a caller-provided Kysely (its plugins ignored) and never destroys it', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
    const db = new Kysely<{ probe: { one: number } }>({
      dialect: new PostgresDialect({ pool }),
      plugins: [new CamelCasePlugin()],
    });
    try {
      const store = track(createPostgresStore({ db, schema: freshSchema() }));
      const { event } = await store.insert({
        eventType: 'kysely.owned',
        payload: { a: 1 },
        idempotencyKey: 'k',
      });
      expect((await store.get(event.id))?.idempotencyKey).toBe('k');
      await store.close();
      const result = await sql<{ one: number }>`select 1 as one`.execute(db);
      expect(result.rows[0]?.one).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it("migrate: 'check' on an empty schema rejects with a ConfigurationError naming what to run, creating nothing", async () => {
    const schema = freshSchema();
    const store = open(schema, { migrate: 'check' });
    const error = await store.init().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('migratePostgresStore');
    expect((error as Error).message).toContain(schema);
    expect((error as Error).message).toContain('0001_events_and_attempts');
    await expect(store.insert({ eventType: 'x', payload: 1 })).rejects.toThrow(ConfigurationError);
    expect(await tablesIn(schema)).toEqual([]);
    expect(await migratePostgresStore({ connectionString: DATABASE_URL, schema })).toEqual([
      '0001_events_and_attempts',
      '0002_endpoints',
      '0003_lean_writes',
    ]);
    expect(await migratePostgresStore({ connectionString: DATABASE_URL, schema })).toEqual([]);
    await store.init();
    expect((await store.insert({ eventType: 'x', payload: 1 })).created).toBe(true);
  });

  it('adds hooks_endpoints to a schema at 0001 and keeps its events', async () => {
    const schema = freshSchema();
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 1 }) }),
    });
    try {
      await sql`create schema ${sql.id(schema)}`.execute(db);
      const first = postgresMigrations(schema)['0001_events_and_attempts']!;
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => ({ '0001_events_and_attempts': first }) },
        migrationTableSchema: schema,
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
      });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await sql`insert into ${sql.table(`${schema}.hooks_events`)} (id, event_type, payload, status,
        max_attempts, available_at, inserted_at, updated_at)
        values ('evt_old', 'a', '{}', 'failed', 1, now(), now(), now())`.execute(db);
    } finally {
      await db.destroy();
    }
    expect(await tablesIn(schema)).not.toContain('hooks_endpoints');
    const checking = open(schema, { migrate: 'check' });
    await expect(checking.init()).rejects.toThrow(/0002_endpoints/);
    const store = open(schema);
    await store.recordEndpointResults([{ url: 'https://x.example.test/', kind: 'gone', at: new Date() }]);
    expect(await tablesIn(schema)).toContain('hooks_endpoints');
    expect((await store.get('evt_old'))?.status).toBe('failed');
    expect(await store.listEndpoints({ state: 'disabled' })).toHaveLength(1);
  });

  it('concurrent init() from 3 stores on one fresh schema succeeds and migrates once', async () => {
    const schema = freshSchema();
    const stores = [open(schema), open(schema), open(schema)];
    await Promise.all(stores.map((store) => store.init()));
    const applied = await withClient(async (client) => {
      const { rows } = await client.query(`select name from "${schema}".hooks_migrations`);
      return rows.map((row) => row.name as string);
    });
    expect(applied.sort()).toEqual(['0001_events_and_attempts', '0002_endpoints', '0003_lean_writes']);
    const results = await Promise.all(
      stores.map((store, index) => store.insert({ eventType: 'init', payload: index })),
    );
    expect(results.every((result) => result.created)).toBe(true);
  });

  it("migrates under a lock of its own schema: another kysely migration holding kysely's database-wide lock does not block init", async () => {
    const schema = freshSchema();
    const holder = new pg.Client({ connectionString: DATABASE_URL });
    await holder.connect();
    try {
      // The advisory lock every kysely Migrator on PostgreSQL takes (kysely's PostgresAdapter LOCK_ID).
      await holder.query('select pg_advisory_lock(3853314791062309107)');
      const store = open(schema);
      await store.init();
      expect(await tablesIn(schema)).toContain('hooks_events');
    } finally {
      await holder.end();
    }
  });

  it('claims through the partial index (available_at, id) WHERE status = pending', async () => {
    const schema = freshSchema();
    const store = open(schema);
    await store.init();
    await withClient(async (client) => {
      await client.query(`
        insert into "${schema}".hooks_events (id, event_type, payload, status, max_attempts, available_at,
          inserted_at, updated_at, attempts)
        select 'evt_' || lpad(n::text, 8, '0'), 'bulk', '{}'::jsonb,
               case when n % 20 = 0 then 'pending' else 'delivered' end, 8,
               now() - interval '1 hour' + n * interval '1 ms', now(), now(), 0
        from generate_series(1, 20000) as n`);
      await client.query(`analyze "${schema}".hooks_events`);
    });
    const now = new Date();
    const query = claimDueQuery(
      {
        schema,
        events: sql.table(`${schema}.hooks_events`),
        attempts: sql.table(`${schema}.hooks_attempts`),
        notify: sql`pg_notify('unused', '')`,
      },
      { workerId: 'w', limit: 100, now, bound: now, lockedUntil: new Date(now.getTime() + 60_000) },
    );
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 1 }) }),
    });
    try {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(db);
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('Index Scan using hooks_events_claim_idx');
      expect(plan).toContain('Index Scan using hooks_events_pkey');
      expect(plan).not.toMatch(/Seq Scan on hooks_events/);
    } finally {
      await db.destroy();
    }
    const claimed = await store.claimDue({ workerId: 'w', limit: 100, leaseMs: 60_000 });
    expect(claimed).toHaveLength(100);
    expect(claimed[0]?.id).toBe('evt_00000020');
  });

  it('keeps the payload as JSONB: deep-equal on read (key order may change)', async () => {
    const store = open(freshSchema());
    const payload = { z: 1, a: { y: [1, 2.5, 'x', null, true], b: 'é😀' }, n: -0.125, big: 1e21 };
    const { event } = await store.insert({ eventType: 'json', payload });
    expect((await store.get(event.id))?.payload).toEqual(payload);
  });

  it('refuses a payload JSONB cannot store (NUL, lone surrogate) before writing; records NUL in response bodies as U+FFFD', async () => {
    const store = open(freshSchema());
    await expect(store.insert({ eventType: 'nul', payload: { text: 'a\u0000b' } })).rejects.toThrow(
      InvalidInputError,
    );
    const batch = store.insertMany([
      { eventType: 'ok', payload: 1 },
      { eventType: 'bad', payload: ['\ud800'] },
    ]);
    await expect(batch).rejects.toMatchObject({
      code: 'HOOKS_ERR_INVALID_INPUT',
      details: { field: 'events[1].payload' },
    });
    expect((await store.list()).items).toEqual([]);
    const { event } = await store.insert({ eventType: 'ok', payload: 1 });
    const [claimed] = await store.claimDue({ workerId: 'w', limit: 1, leaseMs: 60_000 });
    const now = new Date();
    const result = await store.recordOutcome({
      eventId: event.id,
      workerId: 'w',
      attemptNumber: claimed!.attempts + 1,
      attempt: {
        startedAt: now,
        finishedAt: now,
        responseStatus: 500,
        responseBody: 'bin\u0000ary',
        error: 'e\u0000',
      },
      result: { kind: 'failed' },
    });
    expect(result.applied).toBe(true);
    expect(result.event?.responseBody).toBe('bin\uFFFDary');
    expect((await store.listAttempts(event.id))[0]?.error).toBe('e\uFFFD');
  });
});
