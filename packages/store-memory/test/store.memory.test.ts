import { describeStore, type StoreHarness } from '@hooks/store-conformance';
import { createMemoryStore, inspectMemoryStore } from '../src/index.js';

describeStore({
  name: 'memory',
  realConcurrency: false,
  setup: async (): Promise<StoreHarness> => {
    const store = createMemoryStore();
    await store.init();
    return {
      store,
      openPeer: async () => store,
      raw: {
        event: async (id) => inspectMemoryStore(store).events.find((event) => event.id === id),
        countEvents: async () => inspectMemoryStore(store).events.length,
        countAttempts: async (eventId) =>
          inspectMemoryStore(store).attempts.filter(
            (attempt) => eventId === undefined || attempt.eventId === eventId,
          ).length,
        endpoint: async (url) => {
          const found = inspectMemoryStore(store).endpoints.find((endpoint) => endpoint.url === url);
          if (found === undefined) return undefined;
          const { state: _state, ...stored } = found;
          return stored;
        },
      },
      cleanup: () => store.close(),
    };
  },
});
