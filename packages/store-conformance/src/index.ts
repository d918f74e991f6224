export { describeStore } from './describe-store.js';
export type { DescribeStoreOptions, RawEventRow, StoreHarness } from './harness.js';
