import type { EngineClient as Docker } from '../../docker/engine';
import { applyRestartPolicies, startContainers, type StartReport } from './containers';
import { crashNow, renameLimit } from './crash';
import { swapBegun, type JournalPlan, type RestoreJournal } from './journal';
import { removeJobHelpers, runCleanupHolding, runSwapAndCleanup } from './swap';
import { undoCreatedVolumes } from './volume-create';
import { lockVolumes, type VolumeLocks } from '../../docker/volume-lock';
import type { JobsTable } from '../../store/jobs-table';
import type { Leases } from '../../store/leases';
import { VolsnapError } from '../../../shared/errors';
import type { JobProgress } from '../../../shared/types';

export interface OutcomeDeps {
  docker: Docker;
  journal: RestoreJournal;
}

/** Progress of the end of a restore or of its recovery, as a job phase. */
export type OnPhase = (update: Pick<JobProgress, 'phase' | 'detail'>) => void;

/**
 * Undoes a restore whose swap had not begun: removes the volumes it created, drops the stage dirs, puts the restart policies
 * back and starts what was running. Every step is idempotent, so a crash here is recovered again.
 */
export async function rollBack(
  deps: OutcomeDeps,
  jobId: string,
  plan: JournalPlan,
  onPhase?: OnPhase,
): Promise<StartReport> {
  const { docker, journal } = deps;
  journal.step(jobId, 'rollback');
  await removeJobHelpers(docker, jobId);
  // Volumes this job created go again (the engine is as before); the others lose their stage dirs.
  const volumes = await undoCreatedVolumes(docker, jobId, plan);
  // As at a commit, the stage dirs' blocks are held until the workload runs again.
  const cleanup =
    volumes.length > 0 ? await runCleanupHolding(docker, { image: plan.helperImage, jobId, volumes }) : null;
  try {
    const { containers } = await bringBack(deps, jobId, plan, onPhase);
    journal.finish(jobId, 'rolled-back');
    return containers;
  } finally {
    await cleanup?.release();
  }
}

export interface ForwardOutcome {
  swapWindowMs: number;
  /** Deleting the aside and stage dirs, inside the helper (part of the downtime). */
  deleteMs: number;
  /** When the last container started. */
  startedAt: number;
  containers: StartReport;
}

/**
 * Finishes a restore whose swap had begun, both as the normal commit and when recovery rolls
 * forward after a crash: (re-)runs the idempotent swap unless the journal says it
 * completed (`commit`), deletes the aside and stage dirs, then puts policies back and starts what
 * was running. The delete comes BEFORE the start: when a container starts, each volume holds
 * exactly the snapshot's entries and nothing of Volsnap's (PostgreSQL walks its data directory at
 * start and chokes on the aside dir). The delete is therefore downtime, and reported as such; the
 * helper that unlinked the files holds their blocks until the start, so only the names go before it.
 */
export async function finishSwap(
  deps: OutcomeDeps,
  jobId: string,
  plan: JournalPlan,
  options: { outcome: 'committed' | 'rolled-forward'; onPhase?: OnPhase; steps?: string[] },
): Promise<ForwardOutcome> {
  const { docker, journal } = deps;
  await removeJobHelpers(docker, jobId);
  const swapDone = options.steps?.includes('commit') ?? false;
  const removingOld = () => {
    options.onPhase?.({ phase: 'removing-old' });
    journal.step(jobId, 'cleanup');
  };
  if (swapDone) removingOld();
  else options.onPhase?.({ phase: 'swapping' });
  // One helper swaps and deletes; it holds the deleted files' blocks until the workload runs.
  const finish = await runSwapAndCleanup(docker, {
    image: plan.helperImage,
    jobId,
    volumes: plan.volumes,
    renameLimit: renameLimit(),
    // Recovery may find stages already moved; only the restore's own first run expects them all.
    firstRun: options.steps === undefined,
    swap: !swapDone,
    onSwapped: () => {
      journal.step(jobId, 'commit');
      removingOld();
    },
  });
  try {
    if (finish.stoppedEarly) crashNow();
    const { startedAt, containers } = await bringBack(deps, jobId, plan, options.onPhase);
    journal.finish(jobId, options.outcome);
    return { swapWindowMs: finish.windowMs, deleteMs: finish.deleteMs, startedAt, containers };
  } finally {
    await finish.release();
  }
}

/** Restart policies back as journaled, then start what was running; returns when the last one started. */
async function bringBack(
  deps: OutcomeDeps,
  jobId: string,
  plan: JournalPlan,
  onPhase?: OnPhase,
): Promise<{ startedAt: number; containers: StartReport }> {
  deps.journal.step(jobId, 'policies-back');
  await applyRestartPolicies(deps.docker, plan.containers, 'journaled');
  deps.journal.step(jobId, 'start');
  onPhase?.({ phase: 'starting-containers' });
  const containers = await startContainers(deps.docker, plan.containers, {
    onRetry: (name, attempt, reason) =>
      onPhase?.({ phase: 'starting-containers', detail: `${reason}; retrying ${name} (attempt ${attempt + 1})` }),
  });
  return { startedAt: Date.now(), containers };
}

export interface RecoveryDeps extends OutcomeDeps {
  leases: Leases;
  jobsTable: JobsTable;
  /** Named on the volume locks recovery takes, so another store's refusal says who holds them. */
  dataDir: string;
}

export interface RecoverReport {
  rolledBack: string[];
  rolledForward: string[];
  /** Unfinished restores left for a later run: another store's live job holds one of their volumes. */
  waiting: string[];
  /** Per recovered job with something to tell: containers removed meanwhile (not started), starts that waited. */
  containers: { jobId: string; gone: string[]; retried: string[] }[];
}

/**
 * Recovers every unfinished restore whose process is gone: back if no swap had begun, forward
 * otherwise. A restore still run by a live process (its workload lease is held) is left alone.
 * A container removed meanwhile does not stop recovery: the volumes are finished and it is reported.
 */
export async function recoverAll(deps: RecoveryDeps, onPhase?: OnPhase): Promise<RecoverReport> {
  const report: RecoverReport = { rolledBack: [], rolledForward: [], waiting: [], containers: [] };
  for (const open of deps.journal.unfinished()) {
    if (deps.leases.holder(open.plan.workloadId)) continue;
    let lease;
    try {
      lease = deps.leases.acquire(open.plan.workloadId, { id: open.jobId, kind: 'restore' });
    } catch {
      continue; // another process took the workload between the check and the acquire
    }
    let locks: VolumeLocks | null = null;
    try {
      // Recovery writes into the volumes like the restore did: it takes their engine-wide locks, so
      // it never moves entries while another store's job works in them (it waits for the next run).
      locks = await lockVolumes(
        deps.docker,
        open.plan.volumes.map((v) => v.target),
        { jobId: open.jobId, kind: 'recovery', dataDir: deps.dataDir, image: open.plan.helperImage },
      ).catch((error: unknown) => {
        if (error instanceof VolsnapError && error.kind === 'Conflict') return null;
        throw error;
      });
      if (!locks) {
        report.waiting.push(open.jobId);
        continue;
      }
      const containers = await recoverOne(deps, open, report, onPhase);
      if (containers.gone.length + containers.retried.length > 0)
        report.containers.push({ jobId: open.jobId, ...containers });
    } finally {
      await locks?.release();
      lease.release();
    }
  }
  return report;
}

async function recoverOne(
  deps: RecoveryDeps,
  open: { jobId: string; plan: JournalPlan; steps: string[] },
  report: RecoverReport,
  onPhase?: OnPhase,
): Promise<StartReport> {
  const forward = swapBegun(open.steps);
  deps.journal.step(open.jobId, 'recover', forward ? 'forward' : 'back');
  const gone = (c: StartReport) =>
    c.gone.length > 0
      ? ` ${c.gone.join(', ')} no longer existed and ${c.gone.length === 1 ? 'was' : 'were'} not started.`
      : '';
  if (forward) {
    const done = await finishSwap(deps, open.jobId, open.plan, {
      outcome: 'rolled-forward',
      onPhase,
      steps: open.steps,
    });
    deps.jobsTable.finish(open.jobId, 'succeeded', undefined, {
      kind: 'restore',
      snapshotId: open.plan.snapshotId,
      ...(done.containers.gone.length > 0 ? { containersGone: done.containers.gone } : {}),
    });
    report.rolledForward.push(open.jobId);
    return done.containers;
  }
  const containers = await rollBack(deps, open.jobId, open.plan, onPhase);
  deps.jobsTable.finish(open.jobId, 'failed', {
    kind: 'Internal',
    message: `Interrupted before the swap; recovery rolled it back and the volumes kept their previous contents.${gone(containers)}`,
  });
  report.rolledBack.push(open.jobId);
  return containers;
}
