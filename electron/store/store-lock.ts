import type { Db } from './db';
import { holderIsLive, startHeartbeat, type Holder, type Lease } from './lease-liveness';
import { HOST, pidAlive } from './liveness';

/** The leases row that stands for the whole store (no workload id can look like this). */
const STORE_KEY = '(store maintenance)';

interface LeaseRow extends Holder {
  workload_id: string;
  job_id: string;
  job_kind: string;
}

/**
 * Store maintenance (garbage collection, repacking, removing a crashed writer's packs) against
 * captures, across every process sharing the data dir. A capture may reuse any chunk the index
 * has, so maintenance must never delete one while a capture runs: maintenance takes the store
 * only when no workload lease is live (every capture holds one), in the same IMMEDIATE
 * transaction that writes its row, and a capture, after taking its workload lease, waits while
 * the store row is live. Whichever commits second sees the other.
 */
export class StoreLock {
  constructor(
    private readonly db: Db,
    private readonly isAlive: (pid: number) => boolean = pidAlive,
  ) {}

  /** Takes the store for maintenance, or returns null when a workload job or other maintenance is live. */
  tryMaintenance(jobId: string): Lease | null {
    const taken = this.db
      .transaction(() => {
        const rows = this.db.prepare(`SELECT * FROM leases`).all() as LeaseRow[];
        if (rows.some((row) => holderIsLive(row, this.isAlive))) return false;
        this.db
          .prepare(
            `INSERT OR REPLACE INTO leases (workload_id, job_id, job_kind, pid, host, heartbeat_at)
             VALUES (?, ?, 'maintenance', ?, ?, ?)`,
          )
          .run(STORE_KEY, jobId, process.pid, HOST, Date.now());
        return true;
      })
      .immediate();
    if (!taken) return null;
    const stop = startHeartbeat(() =>
      this.db
        .prepare(`UPDATE leases SET heartbeat_at = ? WHERE workload_id = ? AND job_id = ?`)
        .run(Date.now(), STORE_KEY, jobId),
    );
    return {
      release: () => {
        stop();
        this.db.prepare(`DELETE FROM leases WHERE workload_id = ? AND job_id = ?`).run(STORE_KEY, jobId);
      },
    };
  }

  /** True while a live process holds the store for maintenance. */
  inMaintenance(): boolean {
    const row = this.db.prepare(`SELECT * FROM leases WHERE workload_id = ?`).get(STORE_KEY) as LeaseRow | undefined;
    return row !== undefined && holderIsLive(row, this.isAlive);
  }

  /** Waits until no maintenance holds the store (a capture, after taking its workload lease). */
  async waitForMaintenance(signal: AbortSignal, pollMs = 200): Promise<void> {
    while (this.inMaintenance()) {
      signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}
