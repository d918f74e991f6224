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

/**
 * Wraps a store so that each `subscribe` listener is also called once the store's LISTEN connection is up.
 * A row inserted between the scheduler's first claim and the moment LISTEN starts is notified to nobody;
 * this extra wake-up makes the scheduler look again instead of waiting for the next poll.
 *
 * @example
 * const store = wakeWhenListening(opened.store);
 */
export function wakeWhenListening<S extends WebhookStore>(store: S): S {
  if (!canListen(store)) return store;
  const subscribe = (listener: () => void) => {
    const unsubscribe = store.subscribe(listener);
    let active = true;
    store.whenListening().then(
      () => {
        if (active) listener();
      },
      () => undefined,
    );
    return () => {
      active = false;
      unsubscribe();
    };
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
