import type Docker from 'dockerode';
import { engineCall, engineError } from './engine';

/** A volume whose contents do not outlive its last mount, and why. */
export interface VolatileVolume {
  volumeName: string;
  /** For a person: what kind of volume it is and what happens to its contents. */
  reason: string;
}

/** Memory-backed filesystems: the local driver mounts a fresh, empty one at each first mount. */
const VOLATILE_TYPES = new Set(['tmpfs', 'ramfs']);

/**
 * The volumes among `names` whose data would be lost if `stopping` (container ids) stopped: the
 * `local` driver with `--opt type=tmpfs` (or ramfs) mounts that filesystem when the first
 * container mounts the volume and unmounts it, discarding everything, when the last one stops.
 * A running container outside `stopping` that mounts the volume keeps it alive, so such a volume
 * is not listed. Other drivers and plain local volumes keep their data on disk. A volume that is
 * gone is not listed (the caller reports missing volumes itself).
 */
export async function volatileVolumes(
  docker: Docker,
  names: string[],
  stopping: { id: string }[],
): Promise<VolatileVolume[]> {
  const found: VolatileVolume[] = [];
  const stopped = new Set(stopping.map((c) => c.id));
  for (const volumeName of new Set(names)) {
    const info = await inspectVolume(docker, volumeName);
    if (!info || info.Driver !== 'local') continue;
    const type = (info.Options?.type ?? '').toLowerCase();
    if (!VOLATILE_TYPES.has(type)) continue;
    const keepers = await runningMounters(docker, volumeName);
    if (keepers.some((id) => !stopped.has(id))) continue;
    found.push({
      volumeName,
      reason: `volume ${volumeName} is a ${type} (created with --opt type=${type}): it lives in memory and is emptied whenever no container mounts it`,
    });
  }
  return found;
}

/** Ids of the running (or paused) containers that mount `volume`: while one runs, it stays mounted. */
async function runningMounters(docker: Docker, volume: string): Promise<string[]> {
  const containers = await engineCall(`list the containers using volume ${volume}`, () =>
    docker.listContainers({ filters: { volume: [volume], status: ['running', 'paused', 'restarting'] } }),
  );
  return containers.map((c) => c.Id);
}

interface VolumeInspect {
  Driver: string;
  Options?: Record<string, string> | null;
}

async function inspectVolume(docker: Docker, name: string): Promise<VolumeInspect | null> {
  try {
    const info: VolumeInspect = await docker.getVolume(name).inspect();
    return info;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw engineError(error, `inspect volume ${name}`);
  }
}
