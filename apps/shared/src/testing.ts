import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactDatabaseUrl } from './database-location.js';

/** The PostgreSQL the apps' tests use: env `HOOKS_TEST_DATABASE_URL`, default the local `test` database. */
export const TEST_DATABASE_URL =
  process.env.HOOKS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Why PostgreSQL cannot be used for tests, or undefined when it answers. Under `CI` an unreachable
 * database is an error (the tests must fail, not skip), so this throws instead.
 *
 * @example
 * const unavailable = await postgresUnavailable();
 * describe.skipIf(unavailable !== undefined)(`on PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`, ...);
 */
export async function postgresUnavailable(url: string = TEST_DATABASE_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  let reason: string | undefined;
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    reason = `PostgreSQL at ${redactDatabaseUrl(url)} is unreachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
  if (reason !== undefined && process.env.CI) throw new Error(`${reason} (required when CI is set)`);
  return reason;
}

/**
 * A fresh schema name for one test file, so runs never collide.
 *
 * @example
 * const schema = uniqueSchema('mock'); // 'mock_lq2x8k_3f9a1c'
 */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** `url` with `?schema=` set, as `HOOKS_DATABASE_URL` takes it. */
export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string, url: string = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '')}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
