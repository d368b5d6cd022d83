import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ClientProvider } from './client/client-context';
import { createClient } from './client/create-client';
import { createWsBridge } from './client/ws-bridge';
import { App } from './components/app';
import './styles.css';
import type { VolsnapBridge } from '../shared/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser served by `volsnap serve`. */
    volsnapBridge?: VolsnapBridge;
  }
}

// The one place that knows about hosts: Electron's preload bridge, else the web host's socket.
const client = createClient(window.volsnapBridge ?? createWsBridge(window.location));
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
        <App />
      </ClientProvider>
    </QueryClientProvider>
  </StrictMode>,
);
