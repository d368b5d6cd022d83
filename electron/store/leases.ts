import type { Db } from './db';
import { holderIsLive, LeaseRows, type Lease } from './lease-liveness';
import { pidAlive } from './liveness';
import { SnapshotLeases } from './snapshot-leases';
import { VolsnapError } from '../../shared/errors';
import type { JobKind } from '../../shared/types';

export type { Lease } from './lease-liveness';

/**
 * One job per workload across every process that shares the data dir (the app, CLIs, the web
 * host). The lease is a row in SQLite taken in an IMMEDIATE transaction, so two processes cannot
 * both see the workload as free.
 */
export class Leases {
  private readonly rows: LeaseRows;
  /** Read leases on snapshots (restore, diff, verify), with the same liveness rules. */
  readonly snapshots: SnapshotLeases;

  constructor(
    private readonly db: Db,
    private readonly isAlive: (pid: number) => boolean = pidAlive,
  ) {
    this.snapshots = new SnapshotLeases(db, isAlive);
    this.rows = new LeaseRows(db, 'leases', 'workload_id');
  }

  acquire(workloadId: string, job: { id: string; kind: JobKind }): Lease {
    this.db
      .transaction(() => {
        const holder = this.db.prepare(`SELECT * FROM leases WHERE workload_id = ?`).get(workloadId) as
          { job_id: string; job_kind: string; pid: number; host: string; heartbeat_at: number } | undefined;
        if (holder && holderIsLive(holder, this.isAlive)) {
          throw new VolsnapError(
            'Conflict',
            `A ${holder.job_kind} of ${workloadId} is already running (job ${holder.job_id}, pid ${holder.pid}). Wait for it to finish or cancel it.`,
          );
        }
        this.rows.insert(workloadId, job.id, job.kind);
      })
      .immediate();
    return this.rows.beating(workloadId, job.id);
  }

  /** The job holding a workload's lease, if its holder is alive. */
  holder(workloadId: string): { jobId: string; kind: string } | null {
    const row = this.db.prepare(`SELECT * FROM leases WHERE workload_id = ?`).get(workloadId) as
      { job_id: string; job_kind: string; pid: number; host: string; heartbeat_at: number } | undefined;
    return row && holderIsLive(row, this.isAlive) ? { jobId: row.job_id, kind: row.job_kind } : null;
  }
}
