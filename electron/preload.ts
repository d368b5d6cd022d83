import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_EVENT_NAMES, COMMAND_CHANNELS } from '../shared/bridge-channels';
import type { EventName, VolsnapBridge } from '../shared/contract';

/**
 * The page's only door to main: `window.volsnapBridge`, one frozen object with a named method per
 * contract command (each resolving to the result envelope) and `on(event, listener)`. Neither
 * ipcRenderer nor the IPC event object ever reaches the page. It imports only the channel names
 * (shared/bridge-channels.ts), never the contract's schemas: preload.test.ts checks the bundle.
 */
function createBridge(): VolsnapBridge {
  const methods: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [key, channel] of Object.entries(COMMAND_CHANNELS)) {
    methods[key] = (input) => ipcRenderer.invoke(channel, input);
  }
  const on = (event: EventName, listener: (payload: unknown) => void): (() => void) => {
    if (!BRIDGE_EVENT_NAMES.includes(event)) throw new Error(`Unknown Volsnap event "${String(event)}".`);
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, forward);
    return () => {
      ipcRenderer.removeListener(event, forward);
    };
  };
  return Object.freeze({ ...methods, on }) as unknown as VolsnapBridge;
}

contextBridge.exposeInMainWorld('volsnapBridge', createBridge());
