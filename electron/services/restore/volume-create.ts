import type { EngineClient as Docker } from '../../docker/engine';
import { createVolume, inspectVolume, removeVolume } from '../../docker/volumes';
import { VolsnapError } from '../../../shared/errors';
import type { JournalPlan, JournalVolume, RestoreJournal } from './journal';

/**
 * Marks a volume a restore (or clone) job created, with the job's id: Docker answers a create of a
 * name that exists with the existing volume, so this label is how a job knows the volume is its own
 * (and how roll-back knows it may remove it: it never removes a volume someone else made).
 */
export const CREATED_BY_LABEL = 'io.volsnap.created-by-job';

/**
 * Creates the plan's missing volumes, each journaled (`create`) before the call. A volume that
 * exists when the job creates it was made by someone else after the plan: `Conflict`, and the
 * caller rolls back (which leaves that volume alone).
 */
export async function createMissingVolumes(
  deps: { docker: Docker; journal: RestoreJournal },
  jobId: string,
  plan: JournalPlan,
): Promise<void> {
  for (const volume of plan.volumes) {
    if (!volume.create) continue;
    deps.journal.step(jobId, 'create', volume.target);
    const made = await createVolume(deps.docker, volume.target, {
      ...volume.create,
      labels: { ...volume.create.labels, [CREATED_BY_LABEL]: jobId },
    });
    if (made.labels[CREATED_BY_LABEL] !== jobId) throw madeByOthers(volume.target);
  }
}

/**
 * Before the swap: every volume the job created still carries its label (the swap helper would
 * otherwise mount, and so create, a missing one). An existing target removed and made again
 * meanwhile is caught by the swap's first run instead: it no longer holds this job's stage.
 */
export async function assertTargetsUnchanged(docker: Docker, jobId: string, plan: JournalPlan): Promise<void> {
  for (const volume of plan.volumes) {
    if (!volume.create) continue;
    const now = await inspectVolume(docker, volume.target);
    if (now?.labels[CREATED_BY_LABEL] !== jobId) throw madeByOthers(volume.target);
  }
}

/**
 * Roll-back of creations: removes the volumes this job created (its label on them) and returns the
 * plan's other volumes that exist, whose stage dirs still need deleting. Missing volumes are left
 * out, since mounting one in a helper would create it.
 */
export async function undoCreatedVolumes(docker: Docker, jobId: string, plan: JournalPlan): Promise<JournalVolume[]> {
  const remaining: JournalVolume[] = [];
  for (const volume of plan.volumes) {
    const now = await inspectVolume(docker, volume.target);
    if (!now) continue;
    if (volume.create && now.labels[CREATED_BY_LABEL] === jobId) {
      await removeVolume(docker, volume.target);
      continue;
    }
    // Another's volume of the same name may still hold this job's stage dir: the clean-up removes only that.
    remaining.push(volume);
  }
  return remaining;
}

function madeByOthers(volume: string): VolsnapError {
  return new VolsnapError(
    'Conflict',
    `Volume ${volume} was removed or created by someone else while the restore was running (after its plan, before its swap). Volsnap does not write into a volume it did not plan for: nothing was swapped and the restore was rolled back. Check who uses ${volume}, then restore again.`,
  );
}
