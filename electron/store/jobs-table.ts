import type { Db } from './db';
import { HOST, pidAlive } from './liveness';
import type { Job, JobKind, JobPhase, JobProgress, JobResult, JobStatus } from '../../shared/types';
import { phaseOfText } from '../../shared/job-phase';
import type { ErrorData, ErrorKind } from '../../shared/errors';

interface JobRow {
  id: string;
  kind: string;
  workload_id: string;
  snapshot_id: string | null;
  status: string;
  phase: string;
  started_at: string;
  finished_at: string | null;
  error_kind: string | null;
  error_message: string | null;
  result: string | null;
  progress: string | null;
}

/** Recent jobs and their outcome, shared by every process (for `volsnap jobs` and the Jobs view). */
export class JobsTable {
  constructor(private readonly db: Db) {}

  insert(job: { id: string; kind: JobKind; workloadId: string; snapshotId: string | null }): void {
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, workload_id, snapshot_id, status, phase, started_at, pid, host)
         VALUES (?, ?, ?, ?, 'running', 'starting', ?, ?, ?)`,
      )
      .run(job.id, job.kind, job.workloadId, job.snapshotId, new Date().toISOString(), process.pid, HOST);
  }

  update(id: string, fields: { phase?: JobPhase }): void {
    if (fields.phase !== undefined) this.db.prepare(`UPDATE jobs SET phase = ? WHERE id = ?`).run(fields.phase, id);
  }

  /** Saves a running job's latest progress for other processes' views (see JobRunner). */
  saveProgress(progress: JobProgress): void {
    this.db
      .prepare(`UPDATE jobs SET phase = ?, progress = ? WHERE id = ? AND status = 'running'`)
      .run(progress.phase, JSON.stringify(progress), progress.jobId);
  }

  finish(id: string, status: JobStatus, error?: ErrorData, result?: JobResult): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = ?, finished_at = ?, error_kind = ?, error_message = ?, result = ? WHERE id = ?`,
      )
      .run(
        status,
        new Date().toISOString(),
        error?.kind ?? null,
        error?.message ?? null,
        result === undefined ? null : JSON.stringify(result),
        id,
      );
  }

  /**
   * Ids of running jobs whose process is still alive. Jobs of another host (a shared data dir on a
   * network drive) count as alive: we cannot tell.
   */
  liveIds(): Set<string> {
    const rows = this.db.prepare(`SELECT id, pid, host FROM jobs WHERE status = 'running'`).all() as {
      id: string;
      pid: number;
      host: string;
    }[];
    return new Set(rows.filter((r) => r.host !== HOST || pidAlive(r.pid)).map((r) => r.id));
  }

  /** Whether this store ever ran job `id` (helpers are labelled with the job that made them). */
  has(id: string): boolean {
    return this.db.prepare(`SELECT 1 FROM jobs WHERE id = ?`).get(id) !== undefined;
  }

  /** Marks running jobs whose process died as failed; called by the start-up sweep. */
  failDead(reason: string): void {
    const live = this.liveIds();
    const running = this.db.prepare(`SELECT id FROM jobs WHERE status = 'running'`).all() as { id: string }[];
    for (const { id } of running) {
      if (!live.has(id)) this.finish(id, 'failed', { kind: 'Internal', message: reason });
    }
  }

  recent(limit = 50): Job[] {
    return (this.db.prepare(`SELECT * FROM jobs ORDER BY started_at DESC LIMIT ?`).all(limit) as JobRow[]).map(toJob);
  }
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    workloadId: row.workload_id,
    snapshotId: row.snapshot_id,
    status: row.status as JobStatus,
    // Rows written before phases were a closed set hold free text ("capturing app_data").
    phase: phaseOfText(row.phase),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error_kind === null ? null : { kind: row.error_kind as ErrorKind, message: row.error_message ?? '' },
    progress: row.progress === null ? null : (JSON.parse(row.progress) as JobProgress),
    // Results saved before they carried their kind get it from the row.
    result: row.result === null ? null : ({ ...JSON.parse(row.result), kind: row.kind } as JobResult),
  } as Job;
}
