import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ClientProvider } from './client/client-context';
import { createConnectionStore } from './client/connection';
import { createClient } from './client/create-client';
import { createWsBridge } from './client/ws-bridge';
import { App } from './components/app';
import { ConnectionProvider } from './hooks/use-connection';
import './styles.css';
import { applyTheme, loadTheme } from './theme';
import type { VolsnapBridge } from '../shared/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser served by `volsnap serve`. */
    volsnapBridge?: VolsnapBridge;
  }
}

applyTheme(loadTheme());

// The one place that knows about hosts: Electron's preload bridge, else the web host's socket
// (which can be lost, so it reports its connection state).
const connection = createConnectionStore(window.volsnapBridge ? { status: 'connected' } : { status: 'connecting' });
const client = createClient(window.volsnapBridge ?? createWsBridge(window.location, { connection }));
const queryClient = new QueryClient({
  defaultOptions: {
    // Main pushes `*-changed` events; refetching on focus or a timer would only add load.
    queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: false },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ClientProvider client={client}>
        <ConnectionProvider store={connection}>
          <App />
        </ConnectionProvider>
      </ClientProvider>
    </QueryClientProvider>
  </StrictMode>,
);
