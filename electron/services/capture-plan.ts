import type { DiscoveredWorkload } from '../docker/workloads';
import { VolsnapError } from '../../shared/errors';
import type { CaptureMode, Trigger } from '../../shared/types';

/** Everything a capture needs, decided before the job starts. */
export interface CapturePlan {
  workload: DiscoveredWorkload;
  volumes: PlannedVolume[];
  name: string;
  mode: CaptureMode;
  snapshotId: string;
  note: string;
  trigger: Trigger;
}

export interface PlannedVolume {
  volumeName: string;
  owner: string;
  containerName: string;
  mountDestination: string;
}

/** The volumes to capture, each with the mount through which restore will find it again. */
export function pickVolumes(workload: DiscoveredWorkload, requested: string[]): PlannedVolume[] {
  if (workload.volumes.length === 0) {
    const binds =
      workload.bindMounts.length > 0
        ? ` It has only bind mounts (${workload.bindMounts.map((b) => b.destination).join(', ')}), which Volsnap does not capture.`
        : '';
    throw new VolsnapError('InvalidInput', `Workload ${workload.name} has no Docker volumes to capture.${binds}`);
  }
  const unknown = requested.filter((name) => !workload.volumes.some((v) => v.name === name));
  if (unknown.length > 0) {
    const bind = unknown.filter((name) => workload.bindMounts.some((b) => b.source === name || b.destination === name));
    const why =
      bind.length > 0
        ? ` ${bind.join(', ')} ${bind.length > 1 ? 'are bind mounts' : 'is a bind mount'}: Volsnap captures only Docker volumes.`
        : '';
    throw new VolsnapError(
      'InvalidInput',
      `Workload ${workload.name} has no volume ${unknown.join(', ')}.${why} Its volumes: ${workload.volumes.map((v) => v.name).join(', ')}.`,
    );
  }
  const chosen = requested.length > 0 ? workload.volumes.filter((v) => requested.includes(v.name)) : workload.volumes;
  return chosen.map((v) => {
    const mount = v.mounts[0];
    const container = mount && workload.containers.find((c) => c.name === mount.containerName);
    // A volume no container mounts (after `compose down`, or a volume of its own): its own name is
    // its owner, and restore finds it again by that name.
    if (!mount || !container) return { volumeName: v.name, owner: v.name, containerName: '', mountDestination: '' };
    return {
      volumeName: v.name,
      owner: container.service ?? container.name,
      containerName: container.name,
      mountDestination: mount.destination,
    };
  });
}
