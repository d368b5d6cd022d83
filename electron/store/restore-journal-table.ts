import type { Db } from './db';

/** A restore that neither committed nor was recovered; `plan` is the JSON written at `begin`. */
export interface UnfinishedRestoreRow {
  jobId: string;
  plan: string;
}

/**
 * The only owner of `restore_journal` and `restore_steps`. Each write is its own committed
 * statement (the catalog runs with synchronous=FULL): the journal's crash safety relies on it.
 * The plan's shape belongs to the restore service (services/restore/journal.ts).
 */
export class RestoreJournalTable {
  constructor(private readonly db: Db) {}

  insert(row: { jobId: string; workloadId: string; snapshotId: string; plan: string }): void {
    this.db
      .prepare(
        `INSERT INTO restore_journal (job_id, workload_id, snapshot_id, plan, created_at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(row.jobId, row.workloadId, row.snapshotId, row.plan, new Date().toISOString());
  }

  addStep(jobId: string, step: string, detail: string | null): void {
    this.db
      .prepare(
        `INSERT INTO restore_steps (job_id, seq, step, detail, at)
         VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM restore_steps WHERE job_id = ?), ?, ?, ?)`,
      )
      .run(jobId, jobId, step, detail, new Date().toISOString());
  }

  finish(jobId: string, outcome: string): void {
    this.db
      .prepare(`UPDATE restore_journal SET outcome = ?, finished_at = ? WHERE job_id = ?`)
      .run(outcome, new Date().toISOString(), jobId);
  }

  /** Oldest first; all workloads when `workloadId` is undefined. */
  unfinished(workloadId?: string): UnfinishedRestoreRow[] {
    const rows = this.db
      .prepare(
        `SELECT job_id, plan FROM restore_journal WHERE outcome IS NULL AND (? IS NULL OR workload_id = ?)
         ORDER BY created_at`,
      )
      .all(workloadId ?? null, workloadId ?? null) as { job_id: string; plan: string }[];
    return rows.map((row) => ({ jobId: row.job_id, plan: row.plan }));
  }

  steps(jobId: string): string[] {
    const rows = this.db.prepare(`SELECT step FROM restore_steps WHERE job_id = ? ORDER BY seq`).all(jobId) as {
      step: string;
    }[];
    return rows.map((r) => r.step);
  }
}
