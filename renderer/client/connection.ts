/** Whether the page can reach its host. Only the web host's socket can be lost; Electron's IPC is always "connected". */
export type ConnectionState =
  { status: 'connected' } | { status: 'connecting' } | { status: 'disconnected'; attempt: number; retryAt: number };

/** A small store the bridge writes and the UI reads (with useSyncExternalStore). */
export interface ConnectionStore {
  get: () => ConnectionState;
  set: (state: ConnectionState) => void;
  subscribe: (listener: () => void) => () => void;
  /** Asks the bridge to try again now instead of waiting out the backoff. */
  retryNow: () => void;
  onRetryNow: (handler: () => void) => void;
}

export function createConnectionStore(initial: ConnectionState = { status: 'connected' }): ConnectionStore {
  let state = initial;
  let retry: () => void = () => undefined;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set: (next) => {
      state = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    retryNow: () => retry(),
    onRetryNow: (handler) => {
      retry = handler;
    },
  };
}

/** Reconnect delays: quick at first, then no more often than every 15 s. */
export const BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];

export function backoffDelay(attempt: number, schedule: readonly number[] = BACKOFF_MS): number {
  return schedule[Math.min(attempt, schedule.length - 1)] ?? 15_000;
}
