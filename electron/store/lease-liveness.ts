import { HOST } from './liveness';

/** A holder that has not beaten for this long is presumed dead even if its pid was reused. */
export const STALE_AFTER_MS = 60_000;
const HEARTBEAT_MS = 10_000;

export interface Lease {
  release(): void;
}

/** Who holds a lease row: a process of some host, and when it last showed it is alive. */
export interface Holder {
  pid: number;
  host: string;
  heartbeat_at: number;
}

/** A holder is live if it beat recently and, on this host, its process still runs. */
export function holderIsLive(holder: Holder, isAlive: (pid: number) => boolean): boolean {
  if (Date.now() - holder.heartbeat_at > STALE_AFTER_MS) return false;
  if (holder.host !== HOST) return true;
  return isAlive(holder.pid);
}

/** Calls `beat` every 10 s (not keeping the process alive); returns the stop function. */
export function startHeartbeat(beat: () => void): () => void {
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}
