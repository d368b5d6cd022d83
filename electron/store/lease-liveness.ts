import type { Db } from './db';
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

/**
 * The rows of a lease table (`leases` by workload, `snapshot_leases` by snapshot), written the
 * same way by every kind of lease: this process's row, kept beating until released.
 */
export class LeaseRows {
  constructor(
    private readonly db: Db,
    private readonly table: 'leases' | 'snapshot_leases',
    private readonly keyColumn: 'workload_id' | 'snapshot_id',
  ) {}

  /** Writes this process's row (inside the caller's transaction, after its checks). */
  insert(key: string, jobId: string, kind: string): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO ${this.table} (${this.keyColumn}, job_id, job_kind, pid, host, heartbeat_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(key, jobId, kind, process.pid, HOST, Date.now());
  }

  /** Keeps the row beating; releasing (once, however often it is called) deletes it. */
  beating(key: string, jobId: string): Lease {
    const stop = startHeartbeat(() =>
      this.db
        .prepare(`UPDATE ${this.table} SET heartbeat_at = ? WHERE ${this.keyColumn} = ? AND job_id = ?`)
        .run(Date.now(), key, jobId),
    );
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        stop();
        this.db.prepare(`DELETE FROM ${this.table} WHERE ${this.keyColumn} = ? AND job_id = ?`).run(key, jobId);
      },
    };
  }
}
