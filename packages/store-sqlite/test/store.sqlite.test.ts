import { describeStore } from '@hooks/store-conformance';
import { sqliteHarness } from './sqlite-harness.js';

// A new database file per test; each peer is another createSqliteStore on that file (its own connection).
describeStore({ name: 'sqlite', realConcurrency: true, setup: () => sqliteHarness() });
