import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { createConnectionStore, type ConnectionState, type ConnectionStore } from '../client/connection';

/** Electron's IPC cannot be lost: without a provider the page counts as connected. */
const always = createConnectionStore();
const ConnectionContext = createContext<ConnectionStore>(always);

export function ConnectionProvider({ store, children }: { store: ConnectionStore; children: ReactNode }) {
  return <ConnectionContext.Provider value={store}>{children}</ConnectionContext.Provider>;
}

/** The page's connection to its host, and a way to retry at once. */
export function useConnection(): { state: ConnectionState; retryNow: () => void } {
  const store = useContext(ConnectionContext);
  const state = useSyncExternalStore(store.subscribe, store.get);
  return { state, retryNow: store.retryNow };
}
