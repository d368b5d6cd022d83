import { COMMAND_NAMES, EVENT_NAMES, type EventMap, type EventName, type VolsnapBridge } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import { TOKEN_PARAM, WS_PATH, type WsMessage } from '../../shared/web-protocol';

type Pending = (result: Result<unknown>) => void;
type Listener = (payload: unknown) => void;

const RECONNECT_MS = 1_000;

/**
 * The bridge over the web host's WebSocket. The token comes from the page's own URL; requests
 * made while (re)connecting wait for the socket; a lost connection fails the pending calls with
 * a message and reconnects, then tells listeners that everything may have changed.
 */
export function createWsBridge(location: Pick<Location, 'host' | 'search' | 'protocol'>): VolsnapBridge {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<Listener>>();
  let nextId = 1;
  let socket: WebSocket;
  /** Frames sent while the socket is connecting go out once it opens. */
  let queued: string[] = [];
  let everOpened = false;

  const dispatch = (event: EventName, payload: unknown) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
  };
  const connect = () => {
    socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      for (const frame of queued) socket.send(frame);
      queued = [];
      // After a reconnect, events may have been missed: have the UI refetch.
      if (everOpened)
        for (const event of ['workloads:list-changed', 'snapshots:list-changed'] as const)
          dispatch(event, { workloadId: '' });
      everOpened = true;
    });
    socket.addEventListener('message', (message: MessageEvent<string>) => {
      const frame = JSON.parse(message.data) as WsMessage;
      if (frame.type === 'event') return dispatch(frame.event, frame.payload);
      pending.get(frame.id)?.(frame.result);
      pending.delete(frame.id);
    });
    socket.addEventListener('close', () => {
      const lost: Result<unknown> = {
        ok: false,
        error: { kind: 'EngineUnavailable', message: 'Lost the connection to `volsnap serve`. Is it still running?' },
      };
      for (const resolve of pending.values()) resolve(lost);
      pending.clear();
      queued = [];
      setTimeout(connect, RECONNECT_MS);
    });
  };
  connect();

  const call = async (command: string, input: unknown): Promise<Result<unknown>> => {
    const id = nextId++;
    const frame = JSON.stringify({ id, command, input: input ?? {} });
    return new Promise((resolve) => {
      pending.set(id, resolve);
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      else queued.push(frame);
    });
  };
  const bridge: Record<string, unknown> = {
    on: <E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) => {
      if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown event ${event}`);
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
  };
  for (const name of COMMAND_NAMES) bridge[name] = (input: unknown) => call(name, input);
  return Object.freeze(bridge) as VolsnapBridge;
}
