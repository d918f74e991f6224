import type { WebhookStore } from '@hooks/core';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/index.js';
import { runMigrations } from '../src/sqlite-migrations.js';
import { tableNames } from '../src/sqlite-schema.js';
import { tempFilesPerTest } from './sqlite-harness.js';

// Migration 0004 makes the status index partial (rows not delivered). Queries on other statuses must still
// walk it, counts must stay right, and a file at 0003 must upgrade with its rows.

const files = tempFilesPerTest();
const { toClose } = files;

/** A store on a better-sqlite3 handle that logs every statement it runs (parameters expanded). */
function loggingStore(): { store: WebhookStore; database: Database.Database; statements: string[] } {
  const statements: string[] = [];
  const database = new Database(files.filename, { verbose: (text) => statements.push(String(text)) });
  database.pragma('journal_mode = WAL');
  const store = createSqliteStore({ database });
  toClose.push(database, store);
  return { store, database, statements };
}

function plan(database: Database.Database, statement: string): string {
  const rows = database.prepare(`EXPLAIN QUERY PLAN ${statement}`).all() as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}

/** Inserts rows of each status: 2 pending, 3 delivered, 1 failed, 1 skipped. */
async function seed(store: WebhookStore): Promise<void> {
  await store.insertMany([
    ...Array.from({ length: 5 }, (_, index) => ({ eventType: 'a', payload: { index } })),
    { eventType: 'b', payload: {}, skip: { reason: 'no receiver' } },
    { eventType: 'b', payload: {}, maxAttempts: 1 },
  ]);
  const claimed = await store.claimDue({ workerId: 'w', limit: 10, leaseMs: 60_000 });
  const now = new Date();
  await store.recordOutcomes(
    claimed.slice(0, 4).map((row, index) => ({
      eventId: row.id,
      workerId: 'w',
      attemptNumber: 1,
      attempt: { startedAt: now, finishedAt: now, responseStatus: index === 3 ? 500 : 200 },
      result: index === 3 ? { kind: 'failed' as const } : { kind: 'delivered' as const },
    })),
  );
  await store.releaseLeases(
    claimed.slice(4).map((row) => row.id),
    'w',
  );
}

describe('partial status index', () => {
  it('counts every status, delivered included', async () => {
    const { store } = loggingStore();
    await seed(store);
    expect(await store.countByStatus()).toEqual({ pending: 2, delivered: 3, failed: 1, skipped: 1 });
  });

  it('lists and counts walk the status index for statuses other than delivered, never sorting', async () => {
    const { store, database, statements } = loggingStore();
    await seed(store);
    statements.length = 0;
    expect((await store.list({ status: 'pending' })).items).toHaveLength(2);
    expect((await store.list({ status: ['failed', 'skipped'] })).items).toHaveLength(2);
    await store.countByStatus();
    const [pending, terminal, counts] = statements;
    expect(plan(database, pending!)).toContain('USING INDEX hooks_events_status_idx');
    expect(plan(database, pending!)).not.toContain('TEMP B-TREE');
    expect(plan(database, terminal!)).toContain('USING INDEX hooks_events_status_idx');
    expect(plan(database, counts!)).toContain('USING COVERING INDEX hooks_events_status_idx');
  });

  it('lists delivered rows newest first from the table in id order, without sorting', async () => {
    const { store, database, statements } = loggingStore();
    await seed(store);
    statements.length = 0;
    const page = await store.list({ status: 'delivered' });
    expect(page.items.map((row) => row.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(plan(database, statements[0]!)).not.toContain('TEMP B-TREE');
  });

  it('an outcome that delivers a row leaves no entry in the status index', async () => {
    const { store, database } = loggingStore();
    await seed(store);
    const entries = database
      .prepare(
        'SELECT status FROM hooks_events INDEXED BY hooks_events_status_idx ' +
          "WHERE status <> 'delivered' ORDER BY 1",
      )
      .all();
    expect(entries).toEqual([
      { status: 'failed' },
      { status: 'pending' },
      { status: 'pending' },
      { status: 'skipped' },
    ]);
  });

  it('a file at 0003 upgrades to the partial index and keeps its rows and counts', async () => {
    const database = new Database(files.filename);
    toClose.push(database);
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    await runMigrations(kysely, tableNames('hooks_'), '0003_create_endpoints');
    const insert = database.prepare(
      'INSERT INTO hooks_events (id, event_type, payload, status, max_attempts, inserted_at, updated_at) ' +
        "VALUES (?, 'a', '{}', ?, 1, 1, 1)",
    );
    for (const [index, status] of ['pending', 'delivered', 'delivered', 'failed'].entries()) {
      insert.run(`evt_old_${index}`, status);
    }
    const index = () =>
      database.prepare("SELECT sql FROM sqlite_master WHERE name = 'hooks_events_status_idx'").get() as {
        sql: string;
      };
    expect(index().sql).not.toContain('WHERE');
    const store = createSqliteStore({ filename: files.filename });
    toClose.push(store);
    expect(await store.countByStatus()).toEqual({ pending: 1, delivered: 2, failed: 1, skipped: 0 });
    expect(index().sql).toContain("WHERE status <> 'delivered'");
    expect((await store.list({ status: 'delivered', order: 'asc' })).items.map((row) => row.id)).toEqual([
      'evt_old_1',
      'evt_old_2',
    ]);
    expect((await store.list({ status: 'failed' })).items.map((row) => row.id)).toEqual(['evt_old_3']);
  });
});
