import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError } from '@hooks/core';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedStore, openStore, parseDatabaseUrl } from '../src/index.js';
import {
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  uniqueSchema,
  withSchema,
} from '../src/testing.js';

const location = (raw: string | undefined, cwd = '/') =>
  parseDatabaseUrl(raw, { name: 'HOOKS_DATABASE_URL', cwd });

async function sharesOneDatabase(opened: OpenedStore): Promise<void> {
  const { event } = await opened.store.insert({ eventType: 'probe', payload: { n: 1 } });
  await sql`CREATE TABLE probe_domain (id integer primary key)`.execute(opened.db);
  await sql`INSERT INTO probe_domain (id) VALUES (1)`.execute(opened.db);
  const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM probe_domain`.execute(
    opened.db,
  );
  expect(Number(rows[0]!.n)).toBe(1);
  expect((await opened.store.get(event.id))?.eventType).toBe('probe');
}

describe('openStore on SQLite', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'app-shared-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the .data directory of the default location and the store tables', async () => {
    const opened = await openStore(location(undefined, dir));
    try {
      expect(existsSync(join(dir, '.data', 'hooks.sqlite'))).toBe(true);
      expect(opened.store.kind).toBe('sqlite');
      await sharesOneDatabase(opened);
    } finally {
      await opened.close();
    }
  });

  it('keeps data across openings and closes idempotently', async () => {
    const where = location(`sqlite:${join(dir, 'nested', 'again.db')}`);
    const first = await openStore(where);
    const { event } = await first.store.insert({ eventType: 'kept', payload: {} });
    await first.close();
    await first.close();
    const second = await openStore(where);
    try {
      expect((await second.store.get(event.id))?.eventType).toBe('kept');
    } finally {
      await second.close();
    }
  });

  it('works in memory', async () => {
    const opened = await openStore(location('sqlite::memory:'));
    try {
      await sharesOneDatabase(opened);
    } finally {
      await opened.close();
    }
  });

  it('rejects with StoreUnavailableError when the file cannot be created', async () => {
    writeFileSync(join(dir, 'blocker'), 'a file where a directory should be');
    const error = await openStore(location(join(dir, 'blocker', 'x.db'))).catch((e: unknown) => e);
    expect(StoreUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      `cannot open the database sqlite:${join(dir, 'blocker', 'x.db')} (HOOKS_DATABASE_URL): EEXIST: file already exists, mkdir '${join(dir, 'blocker')}'`,
    );
    expect((error as StoreUnavailableError).details?.field).toBe('HOOKS_DATABASE_URL');
  });
});

const unavailable = await postgresUnavailable();

describe.skipIf(unavailable !== undefined)(
  `openStore on PostgreSQL${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`,
  () => {
    const schema = uniqueSchema('app_shared');
    const opened: OpenedStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    afterAll(() => dropSchema(schema));

    it('puts the store and unqualified tables in the ?schema= schema, sharing one pool', async () => {
      const store = await openStore(location(withSchema(TEST_DATABASE_URL, schema)));
      opened.push(store);
      expect(store.store.kind).toBe('postgres');
      await sharesOneDatabase(store);
      const { rows } = await sql<{ table_name: string }>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY table_name
      `.execute(store.db);
      expect(rows.map((row) => row.table_name)).toContain('probe_domain');
      expect(rows.some((row) => row.table_name.includes('event'))).toBe(true);
    });

    it('reports an unreachable server without the password', async () => {
      const url = 'postgres://postgres:hunter2hunter2@127.0.0.1:1/test';
      const error = await openStore(location(url)).catch((e: unknown) => e);
      expect(StoreUnavailableError.isInstance(error)).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain('postgres://postgres:***@127.0.0.1:1/test');
      expect(message).not.toContain('hunter2');
      expect(JSON.stringify(error)).not.toContain('hunter2');
    });
  },
);
