import { describeStore } from '@hooks/store-conformance';
import { describe } from 'vitest';
import { createPostgresHarness } from './postgres-harness.js';
import { requirePostgres, skipPostgres } from './postgres-test-database.js';

describe.skipIf(skipPostgres)('postgres store', () => {
  requirePostgres();
  describeStore({ name: 'postgres', realConcurrency: true, setup: () => createPostgresHarness() });
});
