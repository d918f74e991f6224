import type { WebhookStore } from '@hooks/core';
import { describeStore } from '@hooks/store-conformance';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createSqliteStore } from '../src/index.js';
import { sqliteHarness } from './sqlite-harness.js';

// The same suite through a caller's Kysely (the async executor). Peers share that Kysely's one connection,
// as an application with one Kysely per database would: so realConcurrency is false here.
describeStore({
  name: 'sqlite via a caller-provided Kysely',
  realConcurrency: false,
  setup() {
    let db: Kysely<unknown> | undefined;
    const open = (filename: string): WebhookStore => {
      db ??= new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(filename) }) });
      return createSqliteStore({ db });
    };
    return sqliteHarness(open, async () => db?.destroy());
  },
});
