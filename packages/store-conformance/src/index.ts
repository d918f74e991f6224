export { describeStore } from './describe-store.js';
export type { DescribeStoreOptions, RawEndpointRow, RawEventRow, StoreHarness } from './harness.js';
