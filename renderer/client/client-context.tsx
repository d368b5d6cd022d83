import { createContext, useContext, type ReactNode } from 'react';
import type { VolsnapClient } from '../../shared/contract';

const ClientContext = createContext<VolsnapClient | null>(null);

/** Gives the tree its one client (over Electron IPC or the web host; the UI cannot tell). */
export function ClientProvider({ client, children }: { client: VolsnapClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The client of the surrounding ClientProvider. */
export function useClient(): VolsnapClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}
