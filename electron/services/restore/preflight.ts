import type Docker from 'dockerode';
import { statfs } from 'node:fs/promises';
import { engineMismatch } from '../../docker/engine-identity';
import { discoverWorkloads, type DiscoveredWorkload } from '../../docker/workloads';
import { volumesSize } from '../../docker/volume-usage';
import type { ArchiveFiles } from '../../store/archive-files';
import type { Catalog, StoredVolume } from '../../store/catalog';
import type { Leases } from '../../store/leases';
import type { JobsTable } from '../../store/jobs-table';
import type { RestoreJournal } from './journal';
import { planDetails } from './plan-details';
import { RefusedEntry } from './entry-check';
import { checkManifest } from './manifest-check';
import { volatileRestoreBlockers } from '../volatile-volumes';
import { VolsnapError, type ErrorKind } from '../../../shared/errors';
import type { RestorePlan } from '../../../shared/restore-types';
import type { Snapshot } from '../../../shared/types';

/** Why a restore cannot run, with the error kind `start` reports it as. */
export interface Blocker {
  kind: ErrorKind;
  message: string;
}

/** A snapshot volume matched to the volume the workload mounts today at the same place. */
export interface Target {
  stored: StoredVolume;
  target: string;
}

export interface Prepared {
  snapshot: Snapshot;
  workload: DiscoveredWorkload | null;
  targets: Target[];
  plan: RestorePlan;
  blockers: Blocker[];
}

export interface PreflightDeps {
  docker: Docker;
  catalog: Catalog;
  files: ArchiveFiles;
  leases: Leases;
  journal: RestoreJournal;
  /** For the expected downtime (the last restore's); see plan-details.ts. */
  jobsTable?: JobsTable;
}

/** Everything a restore can know without reading archives: targets, containers, blockers. */
export async function prepare(deps: PreflightDeps, snapshot: Snapshot): Promise<Prepared> {
  const blockers: Blocker[] = [];
  const open = deps.journal.unfinished(snapshot.workloadId)[0];
  if (open) {
    blockers.push({
      kind: 'Conflict',
      message: `An interrupted restore of ${snapshot.workloadName} (job ${open.jobId}) has not been recovered yet. Run \`volsnap recover\`, then restore again.`,
    });
  }
  const holder = deps.leases.holder(snapshot.workloadId);
  if (holder) {
    blockers.push({
      kind: 'Conflict',
      message: `A ${holder.kind} of ${snapshot.workloadName} is running (job ${holder.jobId}). Wait for it to finish or cancel it.`,
    });
  }
  if (snapshot.status !== 'ready') {
    blockers.push({
      kind: 'InvalidInput',
      message: `Snapshot "${snapshot.name}" is ${snapshot.status}; only ready snapshots can be restored.`,
    });
  }
  const otherEngine = await engineMismatch(deps.docker, snapshot);
  if (otherEngine) blockers.push({ kind: 'Conflict', message: otherEngine });
  const workload = (await discoverWorkloads(deps.docker)).find((w) => w.id === snapshot.workloadId) ?? null;
  const targets = workload ? matchTargets(deps.catalog.storedVolumes(snapshot.id), workload, blockers) : [];
  if (workload) blockers.push(...imageBasedBlockers(snapshot, workload));
  else {
    blockers.push({
      kind: 'Unsupported',
      message: `Workload ${snapshot.workloadName} (${snapshot.workloadId}) no longer exists on this engine. Volsnap restores only into a workload whose containers still exist; recreate it (e.g. docker compose up --no-start) and try again.`,
    });
  }
  blockers.push(...manifestBlockers(deps.catalog, snapshot, targets));
  // A memory-backed target would be emptied by the stop: see volatile-volumes.ts.
  blockers.push(...(await volatileRestoreBlockers(deps.docker, targets, workload?.containers ?? [])));
  const plan: RestorePlan = {
    snapshotId: snapshot.id,
    snapshotName: snapshot.name,
    workloadId: snapshot.workloadId,
    volumes: targets.map((t) => ({
      volumeName: t.stored.volumeName,
      targetVolume: t.target,
      mountDestination: t.stored.mountDestination,
      owner: t.stored.owner,
      sizeBytes: t.stored.sizeBytes,
    })),
    containersToStop: (workload?.containers ?? [])
      .filter((c) => c.state === 'running' || c.state === 'paused')
      .map((c) => c.name),
    blockers: blockers.map((b) => b.message),
    details: await planDetails(deps, snapshot, workload),
  };
  return { snapshot, workload, targets, plan, blockers };
}

/** Targets come from the present: same service (or container name), same mount destination. */
function matchTargets(stored: StoredVolume[], workload: DiscoveredWorkload, blockers: Blocker[]): Target[] {
  const targets: Target[] = [];
  const unmatched: string[] = [];
  for (const volume of stored) {
    const mount = workload.containers
      .filter((c) => (c.service ?? c.name) === volume.owner)
      .flatMap((c) => c.volumeMounts)
      .find((m) => m.destination === volume.mountDestination);
    if (mount) targets.push({ stored: volume, target: mount.volumeName });
    else unmatched.push(`${volume.volumeName} (${volume.owner} at ${volume.mountDestination})`);
  }
  if (unmatched.length > 0) {
    blockers.push({
      kind: 'Unsupported',
      message: `No current container mounts a volume where the snapshot's ${unmatched.join(', ')} was mounted; Volsnap never picks a target from names stored in the snapshot. Recreate the container with that mount and try again.`,
    });
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

/** The workload must be image-based: every captured container still exists and its image is present. */
function imageBasedBlockers(snapshot: Snapshot, workload: DiscoveredWorkload): Blocker[] {
  const blockers: Blocker[] = [];
  const current = new Set(workload.containers.map((c) => c.service ?? c.name));
  const removed = (snapshot.provenance?.containers ?? []).filter((c) => !current.has(c.service ?? c.name));
  if (removed.length > 0) {
    blockers.push({
      kind: 'Unsupported',
      message: `Container${removed.length > 1 ? 's' : ''} ${removed.map((c) => c.name).join(', ')} of ${workload.name} ${removed.length > 1 ? 'were' : 'was'} removed since the capture. Recreate ${removed.length > 1 ? 'them' : 'it'} (e.g. docker compose up --no-start), then restore.`,
    });
  }
  const missing = workload.containers.filter((c) => !c.imagePresent);
  if (missing.length > 0) {
    blockers.push({
      kind: 'Unsupported',
      message: `The image of ${missing.map((c) => `${c.name} (${c.image})`).join(', ')} is no longer on this engine, so the workload could not be started again after the restore. Pull or rebuild it, then restore.`,
    });
  }
  return blockers;
}

/**
 * The manifests, from SQLite, against the entry rules (see checkManifest): a forged or foreign
 * manifest is refused here, before the workload is stopped or a safety snapshot taken.
 */
function manifestBlockers(catalog: Catalog, snapshot: Snapshot, targets: Target[]): Blocker[] {
  const blockers: Blocker[] = [];
  for (const { stored } of targets) {
    try {
      checkManifest(catalog.manifest(snapshot.id, stored.position), snapshot.specialFiles);
    } catch (error) {
      if (!(error instanceof RefusedEntry)) throw error;
      blockers.push({
        kind: 'Integrity',
        message: `Snapshot "${snapshot.name}" cannot be restored: in volume ${stored.volumeName}, ${error.message}. Nothing was stopped or touched. The snapshot may have been tampered with or come from elsewhere; restore another snapshot.`,
      });
    }
  }
  return blockers;
}

/** Re-hashes every archive against the sha256 recorded at capture; `Integrity` on any difference. */
export async function verifyArchives(files: ArchiveFiles, snapshot: Snapshot, volumes: StoredVolume[]): Promise<void> {
  for (const stored of volumes) {
    let sha: string;
    try {
      sha = await files.sha256Of(snapshot.id, stored.archiveFile);
    } catch (error) {
      throw new VolsnapError(
        'Integrity',
        `The archive of volume ${stored.volumeName} in snapshot "${snapshot.name}" is missing or unreadable (${(error as Error).message}). Nothing was touched; this snapshot cannot be restored.`,
      );
    }
    if (sha !== stored.sha256) {
      throw new VolsnapError(
        'Integrity',
        `The archive of volume ${stored.volumeName} in snapshot "${snapshot.name}" does not match its checksum (it changed on disk since the capture). Nothing was touched; restore another snapshot.`,
      );
    }
  }
}

/** The safety snapshot needs room in the store for the current contents of the target volumes. */
export async function checkFreeSpace(
  deps: { docker: Docker; dataDir: string },
  targets: Target[],
  fallbackBytes: number,
): Promise<void> {
  const names = new Set(targets.map((t) => t.target));
  let needed = fallbackBytes;
  try {
    needed = await volumesSize(deps.docker, names);
  } catch {
    // Sizes unknown (remote engine without df): estimate from the snapshot being restored.
  }
  const stats = await statfs(deps.dataDir);
  const free = stats.bavail * stats.bsize;
  const margin = 16 * 1024 * 1024;
  if (free < needed + margin) {
    const mb = (n: number) => `${Math.ceil(n / (1024 * 1024))} MB`;
    throw new VolsnapError(
      'Unsupported',
      `Not enough free space for the safety snapshot: it may need ${mb(needed)} and ${deps.dataDir} has ${mb(free)} free. Free some space or prune snapshots, or restore with --no-safety-snapshot.`,
    );
  }
}
