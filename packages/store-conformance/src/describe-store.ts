import { ConfigurationError } from '@hooks/core';
import { afterEach, beforeEach, describe } from 'vitest';
import type { DescribeStoreOptions, StoreHarness, SuiteContext } from './harness.js';
import { concurrencySuite } from './suites/concurrency.js';
import { dueAndClaimSuite } from './suites/due-and-claim.js';
import { endpointHealthSuite } from './suites/endpoint-health.js';
import { inputValidationSuite } from './suites/input-validation.js';
import { insertAndGetSuite } from './suites/insert-and-get.js';
import { lifecycleSuite } from './suites/lifecycle.js';
import { listAndCountSuite } from './suites/list-and-count.js';
import { outcomesAndFencingSuite } from './suites/outcomes-and-fencing.js';
import { pruneSuite } from './suites/prune.js';
import { replaySuite } from './suites/replay.js';
import { replayByTargetSuite } from './suites/replay-by-target.js';
import { settledRowsSuite } from './suites/settled-rows.js';
import { subscribeSuite } from './suites/subscribe.js';
import { transactionSuite } from './suites/transaction.js';

/** Every suite of the conformance run, in the order they are registered. */
const SUITES: readonly ((context: SuiteContext) => void)[] = [
  lifecycleSuite,
  insertAndGetSuite,
  listAndCountSuite,
  dueAndClaimSuite,
  outcomesAndFencingSuite,
  settledRowsSuite,
  concurrencySuite,
  replaySuite,
  replayByTargetSuite,
  pruneSuite,
  inputValidationSuite,
  subscribeSuite,
  transactionSuite,
  endpointHealthSuite,
];

/**
 * Registers the whole conformance suite with vitest: every operation of `WebhookStore`, checked through the
 * store and, through `harness.raw`, against what the store actually wrote. Call it at the top level of a
 * test file; `setup` runs before each test and `cleanup` after it.
 *
 * @example
 * describeStore({
 *   name: 'memory',
 *   realConcurrency: false,
 *   setup: async () => {
 *     const store = createMemoryStore();
 *     return { store, openPeer: async () => store, raw: readRaw(store), cleanup: () => store.close() };
 *   },
 * });
 */
export function describeStore(options: DescribeStoreOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.setup !== 'function') {
    throw new ConfigurationError('describeStore needs options with a setup() function', {
      details: { field: 'setup' },
    });
  }
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    throw new ConfigurationError('describeStore needs a non-empty name', { details: { field: 'name' } });
  }
  const frozen: DescribeStoreOptions = Object.freeze({
    ...options,
    realConcurrency: options.realConcurrency === true,
  });
  describe(`WebhookStore conformance: ${frozen.name}`, () => {
    let current: StoreHarness | undefined;
    beforeEach(async () => {
      current = await frozen.setup();
    });
    afterEach(async () => {
      const harness = current;
      current = undefined;
      await harness?.cleanup();
    });
    const context: SuiteContext = {
      options: frozen,
      harness() {
        if (current === undefined) throw new Error('the store harness is only available inside a test');
        return current;
      },
    };
    for (const register of SUITES) register(context);
  });
}
