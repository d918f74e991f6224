import { join } from 'node:path';
import {
  ConfigurationError,
  ConflictError,
  HooksError,
  StoreUnavailableError,
  type WebhookStore,
} from '@hooks/core';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, migrateSqliteStore } from '../src/index.js';
import { runMigrations } from '../src/sqlite-migrations.js';
import { tableNames } from '../src/sqlite-schema.js';
import { tempDir } from './sqlite-harness.js';

const TARGET = 'https://receiver.example.test/hooks';
const HOUR = 3_600_000;

let temp: Awaited<ReturnType<typeof tempDir>>;
let filename: string;
const toClose: { close(): unknown }[] = [];

beforeEach(async () => {
  temp = await tempDir();
  filename = join(temp.dir, 'hooks.db');
});

afterEach(async () => {
  for (const item of toClose.splice(0).reverse()) await item.close();
  await temp.remove();
});

function open(options: Partial<Parameters<typeof createSqliteStore>[0]> = {}): WebhookStore {
  const store = createSqliteStore({ filename, ...options } as Parameters<typeof createSqliteStore>[0]);
  toClose.push(store);
  return store;
}

function rawDb(): Database.Database {
  const db = new Database(filename);
  toClose.push(db);
  return db;
}

async function rejection(promise: Promise<unknown>): Promise<HooksError> {
  try {
    await promise;
  } catch (error) {
    expect(HooksError.isInstance(error)).toBe(true);
    return error as HooksError;
  }
  throw new Error('expected a rejection');
}

function tableList(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  )
    .map((row) => row.name)
    .filter((name) => !name.startsWith('sqlite_'));
}

describe('opening a database file', () => {
  it('puts the file in WAL mode and creates the tables and the claim index on init()', async () => {
    const store = open();
    await store.init();
    await store.init();
    const db = rawDb();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(tableList(db)).toEqual([
      'hooks_attempts',
      'hooks_endpoints',
      'hooks_events',
      'hooks_migrations',
      'hooks_migrations_lock',
    ]);
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
      .all();
    expect(indexes.map((row) => (row as { name: string }).name).sort()).toEqual([
      'hooks_attempts_event_idx',
      'hooks_attempts_finished_idx',
      'hooks_events_claim_idx',
      'hooks_events_status_idx',
      'hooks_events_type_idx',
    ]);
  });

  it("works on ':memory:'", async () => {
    const store = createSqliteStore({ filename: ':memory:' });
    toClose.push(store);
    const { event } = await store.insert({ eventType: 'a.b', payload: { n: 1 }, targetUrl: TARGET });
    const [claimed] = await store.claimDue({ workerId: 'w', limit: 5, leaseMs: HOUR });
    expect(claimed?.id).toBe(event.id);
    expect((await store.get(event.id))?.lockedBy).toBe('w');
  });

  it('rejects with StoreUnavailableError when the file cannot be opened, naming no more than the cause', async () => {
    const store = open({ filename: join(temp.dir, 'missing-dir', 'hooks.db') });
    const error = await rejection(store.insert({ eventType: 'a', payload: {} }));
    expect(StoreUnavailableError.isInstance(error)).toBe(true);
    expect(error.cause).toBeDefined();
  });

  it('refuses bad options synchronously with a ConfigurationError', () => {
    expect(() => createSqliteStore({} as never)).toThrow(ConfigurationError);
    expect(() => createSqliteStore({ filename, tablePrefix: 'bad-prefix' })).toThrow(/tablePrefix/);
    expect(() => createSqliteStore({ filename, migrate: 'later' as never })).toThrow(/migrate/);
    expect(() => createSqliteStore({ filename, database: rawDb() } as never)).toThrow(/exactly one/);
  });

  it('keeps stores with different table prefixes in one file apart', async () => {
    const first = open();
    const second = open({ tablePrefix: 'other_' });
    await first.insert({ eventType: 'a', payload: {} });
    expect(await second.countByStatus()).toMatchObject({ pending: 0 });
    expect(tableList(rawDb())).toContain('other_events');
  });

  it('rejects with SQLITE_BUSY as StoreUnavailableError while another connection holds the write lock', async () => {
    const store = open({ busyTimeoutMs: 20 });
    await store.init();
    const holder = rawDb();
    holder.exec('BEGIN IMMEDIATE');
    try {
      const error = await rejection(store.insert({ eventType: 'a', payload: {} }));
      expect(StoreUnavailableError.isInstance(error)).toBe(true);
      expect(error.details?.sqliteCode).toMatch(/^SQLITE_BUSY/);
    } finally {
      holder.exec('ROLLBACK');
    }
    expect((await store.insert({ eventType: 'a', payload: {} })).created).toBe(true);
  });
});

describe('caller-provided connections', () => {
  it('uses a caller’s better-sqlite3 Database and never closes it', async () => {
    const database = rawDb();
    const store = createSqliteStore({ database });
    const { event } = await store.insert({ eventType: 'a', payload: { n: 1 } });
    await store.close();
    expect(database.open).toBe(true);
    expect(database.prepare('SELECT id FROM hooks_events').all()).toEqual([{ id: event.id }]);
    expect((await rejection(store.get(event.id))).code).toBe('HOOKS_ERR_CLOSED');
  });

  it('uses a caller’s Kysely (leases, outcomes, replay) and never destroys it', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(filename) }) });
    toClose.push({ close: () => db.destroy() });
    const store = createSqliteStore({ db });
    const { event } = await store.insert({ eventType: 'a', payload: { n: 1 }, targetUrl: TARGET });
    const [claimed] = await store.claimDue({ workerId: 'w', limit: 1, leaseMs: HOUR });
    const now = new Date();
    const recorded = await store.recordOutcome({
      eventId: event.id,
      workerId: 'w',
      attemptNumber: claimed!.attempts + 1,
      attempt: { startedAt: now, finishedAt: now, responseStatus: 500 },
      result: { kind: 'failed' },
    });
    expect(recorded).toMatchObject({ applied: true, event: { status: 'failed', attempts: 1 } });
    expect((await store.replay({ ids: [event.id] }, { limit: 1 })).replayed).toBe(1);
    expect((await store.get(event.id))?.status).toBe('pending');
    await store.close();
    const rows = await db
      .selectFrom('hooks_events' as never)
      .selectAll()
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('rejects every call after close() with HOOKS_ERR_CLOSED, and close() is idempotent', async () => {
    const store = open();
    await store.init();
    await store.close();
    await store.close();
    expect((await rejection(store.init())).code).toBe('HOOKS_ERR_CLOSED');
    expect((await rejection(store.ping())).code).toBe('HOOKS_ERR_CLOSED');
    expect((await rejection(store.claimDue({ workerId: 'w', limit: 1, leaseMs: 1 }))).code).toBe(
      'HOOKS_ERR_CLOSED',
    );
    expect(() => store.subscribe(() => undefined)).toThrow(/closed/);
  });
});

describe('migrations', () => {
  it("migrate: 'check' on an empty file rejects with a ConfigurationError saying what to run", async () => {
    const store = open({ migrate: 'check' });
    const error = await rejection(store.init());
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(error.message).toContain('migrateSqliteStore');
    expect(error.message).toContain("migrate: 'auto'");
    expect(error.message).toContain('0001_create_events');
    expect(tableList(rawDb())).toEqual([]);
    expect(await migrateSqliteStore({ filename })).toEqual({
      applied: [
        '0001_create_events',
        '0002_create_attempts',
        '0003_create_endpoints',
        '0004_partial_status_index',
      ],
    });
    await store.init();
    expect(await migrateSqliteStore({ filename })).toEqual({ applied: [] });
  });

  it("upgrades a file migrated to an older version with migrate: 'auto'", async () => {
    const database = rawDb();
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    expect(await runMigrations(kysely, tableNames('hooks_'), '0001_create_events')).toEqual([
      '0001_create_events',
    ]);
    expect(tableList(database)).not.toContain('hooks_attempts');
    const checking = open({ migrate: 'check' });
    expect((await rejection(checking.init())).message).toContain('0002_create_attempts');
    const store = open();
    await store.init();
    expect(tableList(database)).toContain('hooks_attempts');
    const names = database.prepare('SELECT name FROM hooks_migrations ORDER BY name').all();
    expect(names).toEqual([
      { name: '0001_create_events' },
      { name: '0002_create_attempts' },
      { name: '0003_create_endpoints' },
      { name: '0004_partial_status_index' },
    ]);
    await checking.init();
  });

  it('adds the endpoint table to a file at 0002 and keeps its events', async () => {
    const database = rawDb();
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    await runMigrations(kysely, tableNames('hooks_'), '0002_create_attempts');
    database
      .prepare(
        'INSERT INTO hooks_events (id, event_type, payload, status, max_attempts, inserted_at, updated_at) ' +
          "VALUES ('evt_old', 'a', '{}', 'failed', 1, 1, 1)",
      )
      .run();
    expect(tableList(database)).not.toContain('hooks_endpoints');
    const checking = open({ migrate: 'check' });
    expect((await rejection(checking.init())).message).toContain('0003_create_endpoints');
    const store = open();
    await store.recordEndpointResults([{ url: TARGET, kind: 'gone', at: new Date() }]);
    expect(tableList(database)).toContain('hooks_endpoints');
    expect((await store.get('evt_old'))?.status).toBe('failed');
    expect((await store.listEndpoints({ state: 'disabled' })).map((endpoint) => endpoint.url)).toEqual([
      TARGET,
    ]);
  });

  it('several stores initialising one new file at once migrate it exactly once', async () => {
    const stores = Array.from({ length: 4 }, () => open());
    await Promise.all(stores.map((store) => store.init()));
    expect(rawDb().prepare('SELECT count(*) AS n FROM hooks_migrations').get()).toEqual({ n: 4 });
  });
});

describe('claiming', () => {
  it('claims with one range scan of the claim index (no sort of the pending rows)', async () => {
    const store = open();
    await store.init();
    const plan = rawDb()
      .prepare(
        'EXPLAIN QUERY PLAN SELECT rowid FROM hooks_events INDEXED BY hooks_events_claim_idx ' +
          "WHERE status = 'pending' AND available_at <= 1 ORDER BY available_at, id LIMIT 5",
      )
      .all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join('\n')).toContain('USING INDEX hooks_events_claim_idx');
    expect(plan.map((row) => row.detail).join('\n')).not.toContain('TEMP B-TREE');
  });

  it('a not-yet-due row leased by claimById is still not due after its lease ends', async () => {
    const store = open();
    const now = new Date();
    const later = new Date(now.getTime() + HOUR);
    const { event } = await store.insert({ eventType: 'a', payload: {}, nextRetryAt: later });
    await store.claimById(event.id, { workerId: 'w', leaseMs: 1000, now });
    const afterLease = new Date(now.getTime() + 2000);
    expect(await store.listDue({ now: afterLease })).toEqual([]);
    expect(await store.claimDue({ workerId: 'x', limit: 5, leaseMs: 1000, now: afterLease })).toEqual([]);
    expect((await store.claimDue({ workerId: 'x', limit: 5, leaseMs: 1000, now: later }))[0]?.id).toBe(
      event.id,
    );
  });

  it('a row with no nextRetryAt is due even for a `now` before its insertion', async () => {
    const store = open();
    const { event } = await store.insert({ eventType: 'a', payload: {} });
    const past = new Date(event.insertedAt.getTime() - HOUR);
    expect((await store.listDue({ now: past })).map((row) => row.id)).toEqual([event.id]);
    expect((await store.claimDue({ workerId: 'w', limit: 1, leaseMs: 1, now: past }))[0]?.id).toBe(event.id);
  });

  it('a duplicate id in insertMany is a ConflictError and writes nothing', async () => {
    const store = open();
    await store.insert({ id: 'evt_taken', eventType: 'a', payload: {} });
    const error = await rejection(
      store.insertMany([
        { id: 'evt_new', eventType: 'a', payload: {} },
        { id: 'evt_taken', eventType: 'a', payload: {} },
      ]),
    );
    expect(ConflictError.isInstance(error)).toBe(true);
    expect(await store.get('evt_new')).toBeUndefined();
  });
});
