import type { EngineClient as Docker } from '../../docker/engine';
import { statfs } from 'node:fs/promises';
import { engineMismatch } from '../../docker/engine-identity';
import { discoverWorkloads, type DiscoveredWorkload } from '../../docker/workloads';
import { volumesSize } from '../../docker/volume-usage';
import type { Catalog, StoredVolume } from '../../store/catalog';
import type { Leases } from '../../store/leases';
import type { JobsTable } from '../../store/jobs-table';
import type { RestoreJournal } from './journal';
import { planDetails } from './plan-details';
import { findTargets, type Target } from './targets';
import type { Db } from '../../store/db';
import { VolumeSpecs } from '../../store/volume-specs';
import { RefusedEntry } from './entry-check';
import { checkManifest } from './manifest-check';
import { volatileRestoreBlockers } from '../volatile-volumes';
import type { StoredVolumeReader } from '../stored-volumes/stored-volume-reader';
import { VolsnapError, type ErrorKind } from '../../../shared/errors';
import type { RestorePlan } from '../../../shared/restore-types';
import type { Snapshot } from '../../../shared/types';

/** Why a restore cannot run, with the error kind `start` reports it as. */
export interface Blocker {
  kind: ErrorKind;
  message: string;
}

export type { Target } from './targets';

export interface Prepared {
  snapshot: Snapshot;
  workload: DiscoveredWorkload | null;
  targets: Target[];
  plan: RestorePlan;
  blockers: Blocker[];
}

export interface PreflightDeps {
  docker: Docker;
  /** For the volume specs recorded at capture (how a removed volume is made again). */
  db: Db;
  catalog: Catalog;
  leases: Leases;
  journal: RestoreJournal;
  /** For the expected downtime (the last restore's); see plan-details.ts. */
  jobsTable?: JobsTable;
}

/**
 * Everything a restore can know without reading archives: targets, containers, blockers.
 * `chosen` (snapshot volume names) restores only those volumes; an unknown name is `InvalidInput`.
 */
export async function prepare(deps: PreflightDeps, snapshot: Snapshot, chosen?: string[]): Promise<Prepared> {
  const stored = chooseVolumes(snapshot, deps.catalog.storedVolumes(snapshot.id), chosen);
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
  const discovered = (await discoverWorkloads(deps.docker)).find((w) => w.id === snapshot.workloadId) ?? null;
  const specs = new VolumeSpecs(deps.db).of(snapshot.id);
  const targets = await findTargets({ docker: deps.docker, snapshot, stored, workload: discovered, specs }, blockers);
  // Only the containers that mount a restored volume are stopped (all of them for a whole restore).
  const workload = discovered && involvedOnly(discovered, targets, chosen !== undefined);
  if (workload) blockers.push(...imageBlockers(workload));
  blockers.push(...manifestBlockers(deps.catalog, snapshot, targets));
  // A memory-backed target would be emptied by the stop: see volatile-volumes.ts.
  const existing = targets.filter((t) => !t.create);
  blockers.push(...(await volatileRestoreBlockers(deps.docker, existing, workload?.containers ?? [])));
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
      exists: t.create === null,
      create: t.create && { driver: t.create.driver, labels: t.create.labels, derived: t.create.derived },
    })),
    containersToStop: (workload?.containers ?? [])
      .filter((c) => c.state === 'running' || c.state === 'paused')
      .map((c) => c.name),
    containers: (workload?.containers ?? []).map((c) => c.name),
    notes: planNotes(snapshot, targets, workload),
    blockers: blockers.map((b) => b.message),
    details: await planDetails(deps, snapshot, workload),
  };
  return { snapshot, workload, targets, plan, blockers };
}

/** The snapshot's volumes to restore: all, or the chosen ones (each must be in the snapshot). */
function chooseVolumes(snapshot: Snapshot, stored: StoredVolume[], chosen: string[] | undefined): StoredVolume[] {
  if (chosen === undefined || chosen.length === 0) return stored;
  const unknown = chosen.filter((name) => !stored.some((v) => v.volumeName === name));
  if (unknown.length > 0) {
    throw new VolsnapError(
      'InvalidInput',
      `Snapshot "${snapshot.name}" has no volume ${unknown.join(', ')}; nothing was changed. Its volumes: ${stored.map((v) => v.volumeName).join(', ')}.`,
    );
  }
  return stored.filter((v) => chosen.includes(v.volumeName));
}

/**
 * The workload reduced to the containers a restore stops and starts again: every container for a
 * whole restore (as before), only those mounting a restored volume when volumes were chosen.
 */
function involvedOnly(workload: DiscoveredWorkload, targets: Target[], chosen: boolean): DiscoveredWorkload {
  if (!chosen) return workload;
  const names = new Set(targets.map((t) => t.target));
  return {
    ...workload,
    containers: workload.containers.filter((c) => c.volumeMounts.some((m) => names.has(m.volumeName))),
  };
}

/** What the plan says in words beyond the table: volumes made again, containers that are gone. */
function planNotes(snapshot: Snapshot, targets: Target[], workload: DiscoveredWorkload | null): string[] {
  const notes: string[] = [];
  for (const t of targets.filter((t) => t.create)) {
    const labels = Object.entries(t.create!.labels).map(([k, v]) => `${k}=${v}`);
    const how = t.create!.derived
      ? `with the local driver and labels derived from the workload (${labels.join(', ') || 'none'}): this snapshot predates Volsnap recording how volumes were made`
      : `as recorded at capture (driver ${t.create!.driver}${labels.length > 0 ? `, labels ${labels.join(', ')}` : ''})`;
    notes.push(`volume ${t.target} does not exist and will be created ${how}`);
  }
  if (!workload || workload.containers.length === 0) {
    notes.push('no container of the workload exists: only the volumes are restored; none is created or started');
  }
  const current = new Set((workload?.containers ?? []).map((c) => c.service ?? c.name));
  const gone = (snapshot.provenance?.containers ?? []).filter((c) => !current.has(c.service ?? c.name));
  if (workload && workload.containers.length > 0 && gone.length > 0)
    notes.push(`not started (removed since the capture): ${gone.map((c) => c.name).join(', ')}`);
  return notes;
}

/** Containers the restore starts again must still have their image (Volsnap never pulls or builds). */
function imageBlockers(workload: DiscoveredWorkload): Blocker[] {
  const missing = workload.containers.filter((c) => !c.imagePresent);
  if (missing.length === 0) return [];
  return [
    {
      kind: 'Unsupported',
      message: `The image of ${missing.map((c) => `${c.name} (${c.image})`).join(', ')} is no longer on this engine, so the workload could not be started again after the restore. Pull or rebuild it, then restore.`,
    },
  ];
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
export async function verifyArchives(
  storedVolumes: StoredVolumeReader,
  snapshot: Snapshot,
  volumes: StoredVolume[],
): Promise<void> {
  for (const stored of volumes) {
    const problem = await storedVolumes.checkStored(snapshot.id, stored);
    if (problem !== null) {
      throw new VolsnapError(
        'Integrity',
        `The stored data of volume ${stored.volumeName} in snapshot "${snapshot.name}" is damaged (${problem}): it changed on disk since the capture. Nothing was touched; this snapshot cannot be restored, restore another one.`,
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
