import type { Db } from './db';
import { holderIsLive, LeaseRows, type Holder, type Lease } from './lease-liveness';
import { pidAlive } from './liveness';

/** The leases row that stands for the whole store (no workload id can look like this). */
const STORE_KEY = '(store maintenance)';
/** The row of the one process converting format 1 archives to chunks (store-migration.ts). */
const MIGRATION_KEY = '(store migration)';

interface LeaseRow extends Holder {
  workload_id: string;
}

/**
 * Store maintenance (garbage collection, repacking, removing a crashed writer's packs) against
 * the store's writers, across every process sharing the data dir. A capture may reuse any chunk
 * the index has, so maintenance must never delete one while a capture runs: maintenance takes the
 * store only when no workload lease is live (every capture holds one), in the same IMMEDIATE
 * transaction that writes its row, and a capture, after taking its workload lease, waits while
 * the store row is live. Whichever commits second sees the other.
 *
 * The format migration writes chunks like a capture but belongs to no workload: its own row keeps
 * maintenance out the same way, and captures and restores go on beside it.
 */
export class StoreLock {
  private readonly rows: LeaseRows;

  constructor(
    private readonly db: Db,
    private readonly isAlive: (pid: number) => boolean = pidAlive,
  ) {
    this.rows = new LeaseRows(db, 'leases', 'workload_id');
  }

  /** Takes the store for maintenance, or returns null when a workload job or other maintenance is live. */
  tryMaintenance(jobId: string): Lease | null {
    return this.takeIf(STORE_KEY, jobId, 'maintenance', (live) => live.length === 0);
  }

  /** Takes the migration's row, or null while maintenance or another migration runs. */
  tryMigration(jobId: string): Lease | null {
    return this.takeIf(MIGRATION_KEY, jobId, 'format migration', (live) =>
      live.every((row) => row.workload_id !== STORE_KEY && row.workload_id !== MIGRATION_KEY),
    );
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

  /** Writes `key`'s row when `free` says the live rows allow it, in one IMMEDIATE transaction. */
  private takeIf(key: string, jobId: string, kind: string, free: (live: LeaseRow[]) => boolean): Lease | null {
    const taken = this.db
      .transaction(() => {
        const rows = this.db.prepare(`SELECT * FROM leases`).all() as LeaseRow[];
        if (!free(rows.filter((row) => holderIsLive(row, this.isAlive)))) return false;
        this.rows.insert(key, jobId, kind);
        return true;
      })
      .immediate();
    return taken ? this.rows.beating(key, jobId) : null;
  }
}
