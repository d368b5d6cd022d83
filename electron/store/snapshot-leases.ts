import type { Db } from './db';
import { holderIsLive, LeaseRows, type Holder, type Lease } from './lease-liveness';
import { VolsnapError } from '../../shared/errors';
import type { JobKind } from '../../shared/types';

/**
 * What holds a snapshot: a job that reads it, `verify`, a `read` of its files (ls/cat/extract,
 * downloads), the conversion of its archives to store format 2, or the one `delete` that removes it.
 */
export type SnapshotUse = JobKind | 'verify' | 'read' | 'format migration' | 'delete';

interface Row extends Holder {
  snapshot_id: string;
  job_id: string;
  job_kind: string;
}

/**
 * Read leases on snapshots, shared by every process using the data dir. Any number of jobs may
 * read a snapshot at once; a delete (also retention's) takes it exclusively, so it never removes
 * archives a restore, diff or verify is reading, and no reader starts on a snapshot being deleted.
 * Liveness is the workload lease's: pid on this host, heartbeat otherwise.
 */
export class SnapshotLeases {
  private readonly rows: LeaseRows;

  constructor(
    private readonly db: Db,
    private readonly isAlive: (pid: number) => boolean,
  ) {
    this.rows = new LeaseRows(db, 'snapshot_leases', 'snapshot_id');
  }

  /** Holds a snapshot for a reader; `Conflict` while it is being deleted, `NotFound` once it is gone. */
  hold(snapshot: { id: string; name: string }, job: { id: string; kind: Exclude<SnapshotUse, 'delete'> }): Lease {
    this.db
      .transaction(() => {
        if (!this.db.prepare(`SELECT 1 FROM snapshots WHERE id = ?`).get(snapshot.id)) {
          throw new VolsnapError('NotFound', `Snapshot "${snapshot.name}" was deleted. Run \`volsnap list\`.`);
        }
        if (this.liveHolders(snapshot.id).some((h) => h.job_kind === 'delete')) {
          throw new VolsnapError('Conflict', `Snapshot "${snapshot.name}" is being deleted; choose another one.`);
        }
        this.rows.insert(snapshot.id, job.id, job.kind);
      })
      .immediate();
    return this.rows.beating(snapshot.id, job.id);
  }

  /**
   * Takes a snapshot for removal: `Conflict` naming the job while any live job reads it. Nothing
   * overrides this (a pin can be forced, a running reader cannot).
   */
  forDelete(snapshot: { id: string; name: string }, jobId: string): Lease {
    this.db
      .transaction(() => {
        const reader = this.liveHolders(snapshot.id)[0];
        if (reader) {
          const what = reader.job_kind === 'delete' ? 'being deleted' : `in use by a ${reader.job_kind}`;
          throw new VolsnapError(
            'Conflict',
            `Snapshot "${snapshot.name}" is ${what} (job ${reader.job_id}, pid ${reader.pid} on ${reader.host}). Wait for that job to finish (or cancel it), then try again; --force overrides a pin, never a running job.`,
          );
        }
        this.rows.insert(snapshot.id, jobId, 'delete');
      })
      .immediate();
    return this.rows.beating(snapshot.id, jobId);
  }

  /** Ids of the snapshots live jobs read (or delete) now; retention leaves them alone. */
  heldIds(): Set<string> {
    const rows = this.db.prepare(`SELECT * FROM snapshot_leases`).all() as Row[];
    return new Set(rows.filter((r) => holderIsLive(r, this.isAlive)).map((r) => r.snapshot_id));
  }

  /** True while a live job other than `jobId` holds the snapshot. */
  heldByOthers(snapshotId: string, jobId: string): boolean {
    return this.liveHolders(snapshotId).some((h) => h.job_id !== jobId);
  }

  /** Forgets the leases of processes that died (the start-up sweep). */
  removeDead(): number {
    const rows = this.db.prepare(`SELECT * FROM snapshot_leases`).all() as Row[];
    const dead = rows.filter((r) => !holderIsLive(r, this.isAlive));
    const remove = this.db.prepare(`DELETE FROM snapshot_leases WHERE snapshot_id = ? AND job_id = ?`);
    for (const r of dead) remove.run(r.snapshot_id, r.job_id);
    return dead.length;
  }

  private liveHolders(snapshotId: string): Row[] {
    const rows = this.db.prepare(`SELECT * FROM snapshot_leases WHERE snapshot_id = ?`).all(snapshotId) as Row[];
    return rows.filter((r) => holderIsLive(r, this.isAlive));
  }
}
