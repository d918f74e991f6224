import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebhookStore } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { createPostgresStore } from '@hooks/store-postgres';
import { createSqliteStore } from '@hooks/store-sqlite';
import pg from 'pg';
import { beforeAll } from 'vitest';

/** The test database: env HOOKS_TEST_DATABASE_URL, default the local trust-auth server. */
export const DATABASE_URL = process.env.HOOKS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || String(error) : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL cannot be used (undefined when it can). */
export const postgresUnreachable = await probe();

/** True when Postgres tests are skipped: unreachable and env CI not set (with CI they fail instead). */
export const skipPostgres = postgresUnreachable !== undefined && !process.env.CI;
if (skipPostgres) {
  console.warn(
    `[engine] SKIPPING PostgreSQL tests: cannot reach the test database (${postgresUnreachable}).`,
  );
}

/** Fails the suite in a beforeAll when PostgreSQL is unreachable (reached only with env CI set). */
export function requirePostgres(): void {
  beforeAll(() => {
    if (postgresUnreachable !== undefined) {
      throw new Error(
        `PostgreSQL is required (CI is set) but unreachable at HOOKS_TEST_DATABASE_URL: ${postgresUnreachable}`,
      );
    }
  });
}

let counter = 0;

/** A schema no other test (or run) uses. */
export function uniqueSchema(): string {
  counter += 1;
  return `hooks_engine_${process.pid}_${counter}_${randomBytes(4).toString('hex')}`;
}

/** Drops a test schema. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A store made for one test, and how to dispose of it. */
export interface TestStore {
  store: WebhookStore;
  /** Opens another store on the same data (another "process"). */
  another(): WebhookStore;
  cleanup(): Promise<void>;
}

/** A named way to make a fresh store. */
export interface StoreFactory {
  name: 'memory' | 'sqlite' | 'postgres';
  /** Whether the factory's tests are skipped (Postgres unreachable, CI unset). */
  skip: boolean;
  create(): Promise<TestStore>;
}

const memory: StoreFactory = {
  name: 'memory',
  skip: false,
  async create() {
    const store = createMemoryStore();
    return { store, another: () => store, cleanup: () => store.close() };
  },
};

const sqlite: StoreFactory = {
  name: 'sqlite',
  skip: false,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'hooks-engine-'));
    const filename = join(dir, 'events.db');
    const stores: WebhookStore[] = [createSqliteStore({ filename })];
    await stores[0]!.init();
    return {
      store: stores[0]!,
      another: () => {
        const store = createSqliteStore({ filename });
        stores.push(store);
        return store;
      },
      cleanup: async () => {
        await Promise.allSettled(stores.map((store) => store.close()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgres: StoreFactory = {
  name: 'postgres',
  skip: skipPostgres,
  async create() {
    const schema = uniqueSchema();
    const stores: WebhookStore[] = [createPostgresStore({ connectionString: DATABASE_URL, schema })];
    await stores[0]!.init();
    return {
      store: stores[0]!,
      another: () => {
        const store = createPostgresStore({ connectionString: DATABASE_URL, schema });
        stores.push(store);
        return store;
      },
      cleanup: async () => {
        await Promise.allSettled(stores.map((store) => store.close()));
        await dropSchema(schema);
      },
    };
  },
};

/** Every store the engine is tested on. */
export const STORE_FACTORIES: readonly StoreFactory[] = [memory, sqlite, postgres];

/** The SQLite factory alone (a durable store that needs no server). */
export const SQLITE = sqlite;

/** The Postgres factory alone. */
export const POSTGRES = postgres;
