import type Docker from 'dockerode';
import { applyRestartPolicies, startContainers } from './containers';
import { crashNow, renameLimit } from './crash';
import { swapBegun, type JournalPlan, type RestoreJournal } from './journal';
import { removeJobHelpers, runCleanup, runSwap } from './swap';
import type { JobsTable } from '../../store/jobs-table';
import type { Leases } from '../../store/leases';

export interface OutcomeDeps {
  docker: Docker;
  journal: RestoreJournal;
}

/**
 * Undoes a restore whose swap had not begun: drops the stage dirs, puts the restart policies
 * back and starts what was running. Every step is idempotent, so a crash here is recovered again.
 */
export async function rollBack(deps: OutcomeDeps, jobId: string, plan: JournalPlan): Promise<void> {
  const { docker, journal } = deps;
  journal.step(jobId, 'rollback');
  await removeJobHelpers(docker, jobId);
  await runCleanup(docker, { image: plan.helperImage, jobId, volumes: plan.volumes });
  await bringBack(deps, jobId, plan);
  journal.finish(jobId, 'rolled-back');
}

/**
 * Finishes a restore whose swap had begun: (re-)runs the idempotent swap, then puts policies back,
 * starts what was running and removes the aside dirs (after the start, to keep downtime short).
 * Returns the swap window and when the last container started.
 */
export async function rollForward(
  deps: OutcomeDeps,
  jobId: string,
  plan: JournalPlan,
  options: { outcome: 'committed' | 'rolled-forward'; onPhase?: (phase: string) => void },
): Promise<{ swapWindowMs: number; startedAt: number }> {
  const { docker, journal } = deps;
  await removeJobHelpers(docker, jobId);
  options.onPhase?.('swapping');
  const swap = await runSwap(docker, {
    image: plan.helperImage,
    jobId,
    volumes: plan.volumes,
    renameLimit: renameLimit(),
  });
  if (swap.stoppedEarly) crashNow();
  journal.step(jobId, 'commit');
  options.onPhase?.('starting containers');
  const startedAt = await bringBack(deps, jobId, plan);
  options.onPhase?.('cleaning up');
  journal.step(jobId, 'cleanup');
  await runCleanup(docker, { image: plan.helperImage, jobId, volumes: plan.volumes });
  journal.finish(jobId, options.outcome);
  return { swapWindowMs: swap.windowMs, startedAt };
}

/** Restart policies back as journaled, then start what was running; returns when the last one started. */
async function bringBack(deps: OutcomeDeps, jobId: string, plan: JournalPlan): Promise<number> {
  deps.journal.step(jobId, 'policies-back');
  await applyRestartPolicies(deps.docker, plan.containers, 'journaled');
  deps.journal.step(jobId, 'start');
  await startContainers(deps.docker, plan.containers);
  return Date.now();
}

export interface RecoveryDeps extends OutcomeDeps {
  leases: Leases;
  jobsTable: JobsTable;
}

/**
 * Recovers every unfinished restore whose process is gone: back if no swap had begun, forward
 * otherwise. A restore still run by a live process (its workload lease is held) is left alone.
 */
export async function recoverAll(deps: RecoveryDeps): Promise<{ rolledBack: string[]; rolledForward: string[] }> {
  const report = { rolledBack: [] as string[], rolledForward: [] as string[] };
  for (const open of deps.journal.unfinished()) {
    if (deps.leases.holder(open.plan.workloadId)) continue;
    let lease;
    try {
      lease = deps.leases.acquire(open.plan.workloadId, { id: open.jobId, kind: 'restore' });
    } catch {
      continue; // another process took the workload between the check and the acquire
    }
    try {
      const forward = swapBegun(open.steps);
      deps.journal.step(open.jobId, 'recover', forward ? 'forward' : 'back');
      if (forward) {
        await rollForward(deps, open.jobId, open.plan, { outcome: 'rolled-forward' });
        deps.jobsTable.finish(open.jobId, 'succeeded', undefined, { snapshotId: open.plan.snapshotId });
        report.rolledForward.push(open.jobId);
      } else {
        await rollBack(deps, open.jobId, open.plan);
        deps.jobsTable.finish(open.jobId, 'failed', {
          kind: 'Internal',
          message: 'Interrupted before the swap; recovery rolled it back and the volumes kept their previous contents.',
        });
        report.rolledBack.push(open.jobId);
      }
    } finally {
      lease.release();
    }
  }
  return report;
}
