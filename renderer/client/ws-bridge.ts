import { backoffDelay, BACKOFF_MS, createConnectionStore, type ConnectionStore } from './connection';
import { COMMAND_NAMES, EVENT_NAMES, type EventMap, type EventName, type VolsnapBridge } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import { TOKEN_PARAM, WS_PATH, type WsMessage } from '../../shared/web-protocol';

type Pending = (result: Result<unknown>) => void;
type Listener = (payload: unknown) => void;

/** The parts of a WebSocket the bridge uses (the browser's, or `ws` in tests). */
type SocketLike = Pick<WebSocket, 'send' | 'readyState' | 'addEventListener'>;

export interface WsBridgeOptions {
  /** Where the connection state goes (the disconnected banner reads it). */
  connection?: ConnectionStore;
  /** Tests pass `ws`'s WebSocket; the page uses the browser's. */
  WebSocket?: new (url: string) => SocketLike;
  /** Reconnect delays by attempt (the last repeats). */
  backoffMs?: readonly number[];
}

const OPEN = 1;

/**
 * The bridge over the web host's WebSocket. The token comes from the page's own URL; requests
 * made while (re)connecting wait for the socket. A lost connection fails the calls in flight
 * (their outcome is unknown), reports `disconnected` and reconnects with backoff; once back it
 * reports `connected`, and the UI refetches everything.
 */
export function createWsBridge(
  location: Pick<Location, 'host' | 'search' | 'protocol'>,
  options: WsBridgeOptions = {},
): VolsnapBridge {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
  const connection = options.connection ?? createConnectionStore({ status: 'connecting' });
  const Socket = options.WebSocket ?? WebSocket;
  const schedule = options.backoffMs ?? BACKOFF_MS;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<Listener>>();
  let nextId = 1;
  let socket: SocketLike;
  /** Requests made while the socket is not open go out once one opens (by id, in order). */
  let queued = new Map<number, string>();
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const dispatch = (event: EventName, payload: unknown) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
  };
  const connect = () => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    socket = new Socket(url);
    socket.addEventListener('open', () => {
      attempt = 0;
      for (const frame of queued.values()) socket.send(frame);
      queued = new Map();
      connection.set({ status: 'connected' });
    });
    socket.addEventListener('message', (message) => {
      const frame = JSON.parse(String(message.data)) as WsMessage;
      if (frame.type === 'event') return dispatch(frame.event, frame.payload);
      pending.get(frame.id)?.(frame.result);
      pending.delete(frame.id);
    });
    // A failed connect fires `error` and then `close`; `close` does the work.
    socket.addEventListener('error', () => undefined);
    socket.addEventListener('close', () => {
      const lost: Result<unknown> = {
        ok: false,
        error: {
          kind: 'Internal',
          message:
            'The connection to `volsnap serve` was lost before it answered, so this may or may not have happened. The page reconnects on its own; check once it is back.',
        },
      };
      // Only requests that went out are lost; queued ones wait for the next connection.
      for (const [id, resolve] of pending) {
        if (queued.has(id)) continue;
        resolve(lost);
        pending.delete(id);
      }
      const delay = backoffDelay(attempt, schedule);
      attempt++;
      connection.set({ status: 'disconnected', attempt, retryAt: Date.now() + delay });
      retryTimer = setTimeout(connect, delay);
    });
  };
  connection.onRetryNow(() => {
    if (retryTimer !== undefined) connect();
  });
  connect();

  const call = async (command: string, input: unknown): Promise<Result<unknown>> => {
    const id = nextId++;
    const frame = JSON.stringify({ id, command, input: input ?? {} });
    return new Promise((resolve) => {
      pending.set(id, resolve);
      // While disconnected, a request waits for the next connection instead of failing.
      if (socket.readyState === OPEN) socket.send(frame);
      else queued.set(id, frame);
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
