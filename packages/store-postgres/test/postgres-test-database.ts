import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeAll } from 'vitest';
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../src/index.js';

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

/** Why PostgreSQL cannot be used (undefined when it can), probed once per test file. */
export const unreachable = await probe();

/**
 * True when the Postgres tests must be skipped: the server is unreachable and env CI is not set (with CI
 * set, `requirePostgres()` makes them fail instead). Prints the reason so the skip is visible.
 */
export const skipPostgres = unreachable !== undefined && !process.env.CI;
if (skipPostgres) {
  console.warn(
    `[store-postgres] SKIPPING PostgreSQL tests: cannot reach the test database (${unreachable}).`,
  );
}

/** Registers a beforeAll that fails the suite when PostgreSQL is unreachable (only reached with env CI set). */
export function requirePostgres(): void {
  beforeAll(() => {
    if (unreachable !== undefined) {
      throw new Error(
        `PostgreSQL is required (CI is set) but unreachable at HOOKS_TEST_DATABASE_URL: ${unreachable}`,
      );
    }
  });
}

let counter = 0;

/** A schema name no other test (or test run) uses: hooks_test_<pid>_<counter>_<random>. */
export function uniqueSchema(): string {
  counter += 1;
  return `hooks_test_${process.pid}_${counter}_${randomBytes(4).toString('hex')}`;
}

/** Runs `work` with a fresh pg.Client on the test database, then closes it. */
export async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await withClient((client) => client.query(`drop schema if exists "${schema}" cascade`));
}

/** Store options a test may add to `open` (the harness picks the connection and, unless given, the schema). */
export type TestStoreOptions = Omit<PostgresStoreOptions, 'connectionString' | 'pool' | 'db' | 'schema'> & {
  /** The schema; a fresh one when absent. */
  schema?: string;
  /** Sets `application_name` on the store's connections, so a test can find them in pg_stat_activity. */
  appName?: string;
};

/**
 * Registers an afterEach that closes every store and drops every schema a test made through the returned
 * helpers, so each test file cleans up the same way.
 */
export function trackTestStores(): {
  schema(): string;
  track<T extends PostgresStore>(store: T): T;
  open(options?: TestStoreOptions): PostgresStore;
} {
  const stores: PostgresStore[] = [];
  const schemas: string[] = [];
  afterEach(async () => {
    await Promise.allSettled(stores.splice(0).map((store) => store.close()));
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });
  const schema = (): string => {
    const name = uniqueSchema();
    schemas.push(name);
    return name;
  };
  const track = <T extends PostgresStore>(store: T): T => {
    stores.push(store);
    return store;
  };
  return {
    schema,
    track,
    open({ schema: given, appName, ...options } = {}) {
      const url = new URL(DATABASE_URL);
      if (appName !== undefined) url.searchParams.set('application_name', appName);
      return track(
        createPostgresStore({ ...options, connectionString: url.toString(), schema: given ?? schema() }),
      );
    },
  };
}
