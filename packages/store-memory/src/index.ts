export { inspectMemoryStore, type MemoryStoreSnapshot } from './memory-inspect.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
