import { useSyncExternalStore } from 'react';
import type { Store } from '../store';

/** Re-renders whenever the store's snapshot changes. */
export function useStore<T extends object>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get);
}
