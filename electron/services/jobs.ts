import { randomBytes } from 'node:crypto';
import { Emitter } from '../../shared/emitter';
import { VolsnapError, toErrorData, type ErrorData } from '../../shared/errors';
import type { Job, JobKind, JobOf, JobProgress, JobResults } from '../../shared/types';
import type { JobsTable } from '../store/jobs-table';
import type { Leases } from '../store/leases';

/** What a running job's work function gets: its id, a cancel signal and a progress reporter. */
export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  progress(update: ProgressUpdate): void;
  /** Throws `Cancelled` if the job was cancelled; call between steps. */
  checkCancelled(): void;
}

export interface JobHandle<T> {
  jobId: string;
  done: Promise<T>;
}

/** Something a job keeps until its work ends: a snapshot's read lease, the volume locks. */
export interface JobHold {
  release(): void | Promise<void>;
}

/** What a job's work reports: its phase, and the counts and words that go with it. */
export type ProgressUpdate = Partial<Omit<JobProgress, 'jobId'>> & Pick<JobProgress, 'phase'>;

/** Progress events come at most this often per job, except on a phase change. */
const PROGRESS_INTERVAL_MS = 100;
/** Other processes see a job's progress through the catalog; saving it costs a commit, so rarely. */
const PROGRESS_SAVE_MS = 1_000;

/**
 * Runs long work as jobs: one per workload at a time (a lease shared with other processes),
 * progress events, cancel through an AbortController, and a row per job in the catalog.
 */
export class JobRunner {
  readonly progressEvents = new Emitter<JobProgress>();
  /** Fires once a job's row exists, so hosts can show it as running at once. */
  readonly startedEvents = new Emitter<Job>();
  readonly finishedEvents = new Emitter<Job>();
  private readonly live = new Map<string, { job: Job; abort: AbortController }>();

  constructor(
    private readonly table: JobsTable,
    private readonly leases: Leases,
  ) {}

  static newId(): string {
    return randomBytes(8).toString('hex');
  }

  /** Starts `work` as a job; throws `Conflict` at once if the workload is busy. */
  start<T, K extends JobKind = JobKind>(
    spec: {
      kind: K;
      workloadId: string;
      snapshotId?: string | null;
      id?: string;
      toResult?: (value: T) => JobResults[K];
      /** False for read-only work (a live diff) that must not hold the workload's lease. Default true. */
      exclusive?: boolean;
      /**
       * Taken by the caller for this job (read leases, volume locks); the job owns them from this
       * call on and releases them when its work ends, before it reports its outcome, or at once
       * if it cannot start.
       */
      holds?: JobHold[];
    },
    work: (ctx: JobContext) => Promise<T>,
  ): JobHandle<T> {
    const jobId = spec.id ?? JobRunner.newId();
    const holds = spec.holds ?? [];
    let lease;
    try {
      lease = spec.exclusive === false ? null : this.leases.acquire(spec.workloadId, { id: jobId, kind: spec.kind });
    } catch (error) {
      void releaseAll(holds);
      throw error;
    }
    const abort = new AbortController();
    const job = {
      id: jobId,
      kind: spec.kind,
      workloadId: spec.workloadId,
      snapshotId: spec.snapshotId ?? null,
      status: 'running',
      phase: 'starting',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
      progress: null,
      result: null,
    } as JobOf<K> as Job;
    try {
      this.table.insert(job);
    } catch (error) {
      lease?.release();
      void releaseAll(holds);
      throw error;
    }
    this.live.set(jobId, { job, abort });
    this.startedEvents.emit({ ...job });
    const ctx = this.context(job, abort);
    const done = (async () => {
      try {
        const value = await workThenRelease(work, ctx, holds);
        job.result = spec.toResult ? ({ kind: spec.kind, ...spec.toResult(value) } as Job['result']) : null;
        this.finish(job, 'succeeded');
        return value;
      } catch (error) {
        const data = abort.signal.aborted
          ? { kind: 'Cancelled' as const, message: 'The job was cancelled.' }
          : toErrorData(error);
        this.finish(job, abort.signal.aborted ? 'cancelled' : 'failed', data);
        throw abort.signal.aborted ? new VolsnapError('Cancelled', data.message) : error;
      } finally {
        lease?.release();
        this.live.delete(jobId);
      }
    })();
    // The caller may only await `done` later; keep an unobserved rejection from crashing the process.
    done.catch(() => undefined);
    return { jobId, done };
  }

  cancel(jobId: string): void {
    const entry = this.live.get(jobId);
    if (!entry) throw new VolsnapError('NotFound', `No running job ${jobId} in this process.`);
    entry.abort.abort();
  }

  /** This process's running jobs, with their latest progress. */
  running(): Job[] {
    return [...this.live.values()].map((e) => ({ ...e.job }));
  }

  /** Recent jobs of every process, with live progress for this process's own. */
  recent(limit = 50): Job[] {
    return this.table.recent(limit).map((job) => {
      const live = this.live.get(job.id);
      return live ? { ...job, progress: live.job.progress, phase: live.job.phase } : job;
    });
  }

  private context(job: Job, abort: AbortController): JobContext {
    let lastEmit = 0;
    let lastSave = 0;
    return {
      jobId: job.id,
      signal: abort.signal,
      checkCancelled: () => {
        if (abort.signal.aborted) throw new VolsnapError('Cancelled', 'The job was cancelled.');
      },
      progress: (update) => {
        const previous = job.progress;
        // Another volume, or the safety snapshot's capture, is a new phase as much as a new name is.
        const samePhase = previous !== null && sameStep(previous, update);
        const next: JobProgress = {
          jobId: job.id,
          phase: update.phase,
          ...(update.volume !== undefined && { volume: update.volume }),
          ...(update.detail !== undefined && { detail: update.detail }),
          ...(update.within !== undefined && { within: update.within }),
          bytesDone: update.bytesDone ?? (samePhase ? previous.bytesDone : 0),
          bytesTotal: update.bytesTotal !== undefined ? update.bytesTotal : (previous?.bytesTotal ?? null),
          filesDone: update.filesDone ?? (samePhase ? previous.filesDone : 0),
          ratio: update.ratio !== undefined ? update.ratio : null,
        };
        const phaseChanged = !samePhase;
        job.progress = next;
        if (job.phase !== update.phase) this.table.update(job.id, { phase: update.phase });
        job.phase = update.phase;
        const now = Date.now();
        if (phaseChanged || now - lastEmit >= PROGRESS_INTERVAL_MS) {
          lastEmit = now;
          this.progressEvents.emit(next);
        }
        if (now - lastSave >= PROGRESS_SAVE_MS) {
          lastSave = now;
          this.saveProgress(next);
        }
      },
    };
  }

  /** Best effort: a busy or full catalog must not fail the job over a progress bar elsewhere. */
  private saveProgress(progress: JobProgress): void {
    try {
      this.table.saveProgress(progress);
    } catch {
      // The next save (or the job's end) tells the other processes.
    }
  }

  private finish(job: Job, status: Job['status'], error?: ErrorData): void {
    job.status = status;
    job.finishedAt = new Date().toISOString();
    job.error = error ?? null;
    this.table.finish(job.id, status, error, job.result ?? undefined);
    this.finishedEvents.emit({ ...job });
  }
}

/** Same phase, volume, detail and enclosing step. */
function sameStep(a: ProgressUpdate, b: ProgressUpdate): boolean {
  return a.phase === b.phase && a.volume === b.volume && a.detail === b.detail && a.within === b.within;
}

async function workThenRelease<T>(work: (ctx: JobContext) => Promise<T>, ctx: JobContext, holds: JobHold[]) {
  try {
    return await work(ctx);
  } finally {
    await releaseAll(holds);
  }
}

/** Releases every hold, even when one fails (a lock the Engine could not remove is swept later). */
async function releaseAll(holds: JobHold[]): Promise<void> {
  await Promise.all(holds.map(async (h) => h.release())).catch(() => undefined);
}
