import type { WebhookStore } from '@hooks/core';

/** A store that can say when its cross-process notifications are live (`@hooks/store-postgres`). */
interface ListeningStore {
  whenListening(): Promise<void>;
}

function canListen(store: object): store is ListeningStore {
  return typeof (store as Partial<ListeningStore>).whenListening === 'function';
}

/** Resolves once the store's LISTEN connection is up (at once for stores without one). */
export function whenListening(store: WebhookStore): Promise<void> {
  return canListen(store) ? store.whenListening() : Promise.resolve();
}
