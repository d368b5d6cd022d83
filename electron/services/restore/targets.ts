import type { EngineClient as Docker } from '../../docker/engine';
import { inspectVolume, type VolumeSpec } from '../../docker/volumes';
import type { DiscoveredContainer, DiscoveredWorkload } from '../../docker/workloads';
import type { StoredVolume } from '../../store/catalog';
import type { RecordedVolumeSpec } from '../../store/volume-specs';
import type { Snapshot } from '../../../shared/types';
import type { Blocker } from './preflight';

/** A volume the restore makes because it is gone: how, and whether that was recorded or derived. */
export interface VolumeToCreate extends VolumeSpec {
  /** True for snapshots captured before Volsnap recorded volumes: local driver, labels from the workload. */
  derived: boolean;
}

/** A snapshot volume matched to the volume it is restored into. */
export interface Target {
  stored: StoredVolume;
  target: string;
  /** Set when the target does not exist: the restore creates it first (a journaled step). */
  create: VolumeToCreate | null;
}

export interface TargetsInput {
  docker: Docker;
  snapshot: Snapshot;
  stored: StoredVolume[];
  workload: DiscoveredWorkload | null;
  specs: Map<string, RecordedVolumeSpec>;
}

const PROJECT_LABEL = 'com.docker.compose.project';
const VOLUME_LABEL = 'com.docker.compose.volume';
const VOLATILE = new Set(['tmpfs', 'ramfs']);

/**
 * Where each snapshot volume goes. Where the container that owned it still exists (same service
 * or name, same mount destination), into what that container mounts there, as before; where it is
 * gone, into the volume of the snapshot's name on this engine, made again if missing. When the two
 * disagree (the owner mounts another volume there while the snapshot's volume still exists), the
 * restore is refused naming both: Volsnap does not guess which one to overwrite.
 */
export async function findTargets(input: TargetsInput, blockers: Blocker[]): Promise<Target[]> {
  const containers = input.workload?.containers ?? [];
  const targets: Target[] = [];
  for (const stored of input.stored) {
    const owned = ownerMount(containers, stored);
    const byName = await inspectVolume(input.docker, stored.volumeName);
    if (owned && owned.volumeName !== stored.volumeName && byName) {
      blockers.push({
        kind: 'Conflict',
        message: `${owned.containerName} now mounts volume ${owned.volumeName} at ${stored.mountDestination}, where the snapshot's volume ${stored.volumeName} was mounted, and ${stored.volumeName} still exists too. Volsnap does not guess which one to overwrite: remove the one you no longer want (or restore only the other volumes with --volume), then restore again.`,
      });
      continue;
    }
    if (owned) {
      targets.push({ stored, target: owned.volumeName, create: null });
      continue;
    }
    const create = byName ? null : toCreate(input, stored, blockers);
    targets.push({ stored, target: stored.volumeName, create });
  }
  const names = targets.map((t) => t.target);
  const shared = names.filter((n, i) => names.indexOf(n) !== i);
  if (shared.length > 0) {
    blockers.push({
      kind: 'Unsupported',
      message: `Several snapshot volumes would be restored into ${[...new Set(shared)].join(', ')}.`,
    });
  }
  return targets;
}

/** The volume the owning container mounts today at the recorded destination, if it still exists. */
function ownerMount(
  containers: DiscoveredContainer[],
  stored: StoredVolume,
): { volumeName: string; containerName: string } | null {
  for (const c of containers) {
    if ((c.service ?? c.name) !== stored.owner) continue;
    const mount = c.volumeMounts.find((m) => m.destination === stored.mountDestination);
    if (mount) return { volumeName: mount.volumeName, containerName: c.name };
  }
  return null;
}

/** How a missing volume is made again; a blocker (and null) when Volsnap cannot make it safely. */
function toCreate(input: TargetsInput, stored: StoredVolume, blockers: Blocker[]): VolumeToCreate | null {
  const recorded = input.specs.get(stored.volumeName);
  if (!recorded) return { driver: 'local', options: {}, labels: derivedLabels(input.snapshot, stored), derived: true };
  if (recorded.driver !== 'local') {
    blockers.push({
      kind: 'Unsupported',
      message: `Volume ${stored.volumeName} no longer exists and was made with the "${recorded.driver}" driver; Volsnap makes again only volumes of the local driver. Create it yourself (docker volume create --driver ${recorded.driver} … ${stored.volumeName}), then restore again.`,
    });
    return null;
  }
  const type = (recorded.options.type ?? '').toLowerCase();
  if (VOLATILE.has(type)) {
    blockers.push({
      kind: 'Unsupported',
      message: `Volume ${stored.volumeName} no longer exists and was a ${type} volume (--opt type=${type}): made again, it would live in memory and lose the restored data as soon as the restore unmounts it, since no container of the workload exists to keep it mounted. Nothing was touched. Start a container that mounts it (docker compose up --no-start is not enough; it must run), then restore again.`,
    });
    return null;
  }
  return { driver: 'local', options: recorded.options, labels: recorded.labels, derived: false };
}

/**
 * For snapshots captured before Volsnap recorded volume labels: the labels `docker compose up`
 * checks when it finds an existing volume (its project, and its key where the name is
 * `<project>_<key>`, compose's own naming). Other workloads get no labels.
 */
export function derivedLabels(snapshot: Snapshot, stored: StoredVolume): Record<string, string> {
  if (!snapshot.workloadId.startsWith('compose:')) return {};
  const project = snapshot.workloadId.slice('compose:'.length);
  const labels: Record<string, string> = { [PROJECT_LABEL]: project };
  if (stored.volumeName.startsWith(`${project}_`)) labels[VOLUME_LABEL] = stored.volumeName.slice(project.length + 1);
  return labels;
}

/**
 * What the safety snapshot captures: the targets that exist now (a volume the restore creates has
 * nothing to keep), under the snapshot's workload, whose containers may all be gone. Null when
 * there is nothing to keep.
 */
export function safetyWorkload(
  snapshot: Snapshot,
  workload: DiscoveredWorkload | null,
  targets: Target[],
): DiscoveredWorkload | null {
  const existing = targets.filter((t) => !t.create);
  if (existing.length === 0) return null;
  const containers = workload?.containers ?? [];
  return {
    id: snapshot.workloadId,
    name: snapshot.workloadName,
    kind: workload?.kind ?? (snapshot.workloadId.startsWith('compose:') ? 'compose' : 'container'),
    status: workload?.status ?? 'stopped',
    containers,
    volumes: existing.map((t) => ({
      name: t.target,
      driver: 'local',
      anonymous: /^[0-9a-f]{64}$/.test(t.target),
      mounts: containers.flatMap((c) =>
        c.volumeMounts
          .filter((m) => m.volumeName === t.target)
          .map((m) => ({ containerName: c.name, destination: m.destination, readOnly: m.readOnly })),
      ),
    })),
    bindMounts: [],
    imageBased: workload?.imageBased ?? true,
  };
}
