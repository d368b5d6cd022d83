import type { Db } from './db';

/** A container a job paused or stopped, noted before it is touched so a crash can undo it. */
export interface QuiescedRow {
  jobId: string;
  containerId: string;
  action: 'paused' | 'stopped';
}

/** The only owner of the `quiesced` table: written by capture and live diff, read by the sweep. */
export class QuiescedTable {
  constructor(private readonly db: Db) {}

  note(row: QuiescedRow): void {
    this.db
      .prepare(`INSERT OR REPLACE INTO quiesced (job_id, container_id, action) VALUES (?, ?, ?)`)
      .run(row.jobId, row.containerId, row.action);
  }

  /** Called once every container of the job is running again. */
  clear(jobId: string): void {
    this.db.prepare(`DELETE FROM quiesced WHERE job_id = ?`).run(jobId);
  }

  all(): QuiescedRow[] {
    const rows = this.db.prepare(`SELECT job_id, container_id, action FROM quiesced`).all() as {
      job_id: string;
      container_id: string;
      action: 'paused' | 'stopped';
    }[];
    return rows.map((r) => ({ jobId: r.job_id, containerId: r.container_id, action: r.action }));
  }
}
