import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebhookStore } from '@hooks/core';
import { createMemoryStore } from '@hooks/store-memory';
import { createPostgresStore } from '@hooks/store-postgres';
import { createSqliteStore } from '@hooks/store-sqlite';
import pg from 'pg';

/** The stores the engine benches measure. */
export type BenchStoreKind = 'memory' | 'sqlite' | 'postgres';

/** PostgreSQL the benches use (`HOOKS_TEST_DATABASE_URL`, else the local test database). */
export const BENCH_DATABASE_URL =
  process.env.HOOKS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh, initialised store of `kind`: a SQLite file in a temp dir or a PostgreSQL schema named after
 * `prefix`, both removed again by `dispose`.
 *
 * @example
 * const { store, dispose } = await openBenchStore('sqlite', 'hooks-bench');
 */
export async function openBenchStore(
  kind: BenchStoreKind,
  prefix: string,
): Promise<{ store: WebhookStore; dispose(): Promise<void> }> {
  if (kind === 'memory') {
    const store = createMemoryStore();
    return { store, dispose: () => store.close() };
  }
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    const store = createSqliteStore({ filename: join(dir, 'bench.db') });
    await store.init();
    return {
      store,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `${prefix.replaceAll('-', '_')}_${process.pid}_${Date.now()}`;
  const store = createPostgresStore({ connectionString: BENCH_DATABASE_URL, schema });
  await store.init();
  return {
    store,
    dispose: async () => {
      await store.close();
      const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}
