import type { EngineClient as Docker } from '../../docker/engine';
import { CURRENT, diffAgainstCurrent, helperFor, pairWithCurrent, storedRefs, type StoredRef } from './current-diff';
import { buildFileDiff, MAX_TEXT_BYTES, wantsContent } from './file-diff';
import { readLiveFile, type FileSide } from './file-sources';
import { liveSource, type CurrentVolume } from './live-manifest';
import { oneSidedVolumeDiff, totalSummary } from './manifest-diff';
import { StoredManifestDiff } from './stored-diff';
import { pairVolumes, type VolumePair } from './volume-pairs';
import { JobRunner } from '../jobs';
import type { WorkloadService } from '../workload-service';
import { removeHelper } from '../../docker/helper';
import { inspectVolume } from '../../docker/volumes';
import type { DiscoveredWorkload } from '../../docker/workloads';
import type { Catalog } from '../../store/catalog';
import type { Db } from '../../store/db';
import type { Lease, Leases } from '../../store/leases';
import type { SettingsStore } from '../../store/settings-store';
import type { StoredVolumeReader } from '../stored-volumes/stored-volume-reader';
import { VolsnapError } from '../../../shared/errors';
import type { DiffResult, FileDiff } from '../../../shared/diff-types';
import type { Snapshot } from '../../../shared/types';

export interface DiffDeps {
  docker: Docker;
  db: Db;
  catalog: Catalog;
  storedVolumes: StoredVolumeReader;
  jobs: JobRunner;
  workloads: WorkloadService;
  settings: SettingsStore;
  /** Read leases: a snapshot side is held while it is read, so delete and retention wait. */
  leases: Leases;
}

export interface DiffRequest {
  snapshot: string;
  /** `current` (the live volumes, default) or a snapshot of the same workload. */
  against?: string;
  /** How the live volumes are read; `pause` freezes the workload for the read. Default `live`. */
  mode?: 'live' | 'pause';
}

export interface FileDiffRequest {
  snapshot: string;
  against?: string;
  volume: string;
  /** Relative to the volume root. */
  path: string;
}

/** A diff under way: against current it is a job (progress, cancel); between snapshots it is not. */
export interface DiffHandle {
  jobId: string | null;
  done: Promise<DiffResult>;
}

/** What changed between a snapshot and another snapshot of its workload, or its live volumes. */
export class DiffService {
  private readonly stored: StoredManifestDiff;

  constructor(private readonly deps: DiffDeps) {
    this.stored = new StoredManifestDiff(deps.db);
  }

  /** The diff of a snapshot against `current` (default) or another snapshot of the same workload. */
  async diff(input: DiffRequest): Promise<DiffResult> {
    return (await this.start(input)).done;
  }

  /** Like `diff`, but hands back the job id first, so a host can show progress and cancel. */
  async start(input: DiffRequest): Promise<DiffHandle> {
    const mode = input.mode ?? 'live';
    if (mode !== 'live' && mode !== 'pause') {
      throw new VolsnapError('InvalidInput', `A diff reads in mode live or pause, not "${String(mode)}".`);
    }
    const before = this.readySnapshot(input.snapshot);
    const against = input.against ?? CURRENT;
    if (against !== CURRENT) {
      const after = this.sameWorkload(before, against);
      return { jobId: null, done: this.reading([before, after], () => this.diffSnapshots(before, after)) };
    }
    const workload = await this.currentWorkload(before);
    const jobId = JobRunner.newId();
    const hold = this.deps.leases.snapshots.hold(before, { id: jobId, kind: 'diff' });
    return this.deps.jobs.start(
      // Only `pause` touches the workload, so only it takes the lease; a live read runs beside a capture.
      {
        id: jobId,
        kind: 'diff',
        workloadId: workload.id,
        snapshotId: before.id,
        exclusive: mode === 'pause',
        holds: [hold],
      },
      (ctx) => diffAgainstCurrent(ctx, this.deps, { snapshot: before, workload, mode }),
    );
  }

  /** The content diff of one file: unified text, or sizes and sha256s when binary or large. */
  async fileDiff(input: FileDiffRequest): Promise<FileDiff> {
    const before = this.readySnapshot(input.snapshot);
    const path = volumePath(input.path);
    const against = input.against ?? CURRENT;
    if (against !== CURRENT) {
      const after = this.sameWorkload(before, against);
      const pair = findPair(
        pairVolumes(storedRefs(this.deps.catalog, before.id), storedRefs(this.deps.catalog, after.id)),
        input.volume,
        before,
        `"${after.name}"`,
      );
      const afterSide = pair.after && this.storedSide(after, pair.after, path);
      return this.fileDiffOf({ before, pair, path, afterSide, afterLabel: after.name, afterSnapshot: after });
    }
    const workload = await this.currentWorkload(before);
    const pair = findPair(
      pairWithCurrent(this.deps.catalog, before, workload),
      input.volume,
      before,
      'the current volumes',
    );
    const afterSide = pair.after && (await this.liveSide(pair.after, path));
    return this.fileDiffOf({ before, pair, path, afterSide, afterLabel: CURRENT, afterSnapshot: null });
  }

  private diffSnapshots(before: Snapshot, after: Snapshot): DiffResult {
    const { catalog } = this.deps;
    const volumes = pairVolumes(storedRefs(catalog, before.id), storedRefs(catalog, after.id)).map((pair) => {
      if (pair.before && pair.after)
        return this.stored.volumeDiff(
          pair.before.volumeName,
          { snapshotId: before.id, position: pair.before.position },
          { snapshotId: after.id, position: pair.after.position },
        );
      if (pair.before)
        return oneSidedVolumeDiff(
          pair.before.volumeName,
          'before-only',
          catalog.manifest(before.id, pair.before.position),
        );
      return oneSidedVolumeDiff(pair.after!.volumeName, 'after-only', catalog.manifest(after.id, pair.after!.position));
    });
    return { snapshotId: before.id, against: after.id, summary: totalSummary(volumes), volumes };
  }

  private async fileDiffOf(options: {
    before: Snapshot;
    pair: VolumePair<StoredRef, StoredRef | CurrentVolume>;
    path: string;
    afterSide: FileSide | null;
    afterLabel: string;
    afterSnapshot: Snapshot | null;
  }): Promise<FileDiff> {
    const { before, pair, path } = options;
    const volumeName = pair.before?.volumeName ?? pair.after!.volumeName;
    const beforeSide = pair.before && this.storedSide(before, pair.before, path);
    let afterSide = options.afterSide;
    if (!beforeSide && !afterSide) {
      throw new VolsnapError(
        'NotFound',
        `"${path}" is neither in snapshot "${before.name}" nor in ${options.afterSnapshot ? `snapshot "${options.afterLabel}"` : 'the current volume'} ${volumeName}. Paths are relative to the volume root; \`volsnap diff ${before.name}\` lists what changed.`,
      );
    }
    if (beforeSide && wantsContent(beforeSide.entry, afterSide?.entry ?? null))
      beforeSide.content = await this.archiveContent(before, pair.before!, path);
    if (afterSide && options.afterSnapshot && wantsContent(afterSide.entry, beforeSide?.entry ?? null))
      afterSide = {
        ...afterSide,
        content: await this.archiveContent(options.afterSnapshot, pair.after as StoredRef, path),
      };
    return buildFileDiff({
      path,
      volumeName,
      before: beforeSide,
      after: afterSide,
      beforeLabel: before.name,
      afterLabel: options.afterLabel,
    });
  }

  private storedSide(snapshot: Snapshot, volume: StoredRef, path: string): FileSide | null {
    const entry = this.deps.catalog.manifest(snapshot.id, volume.position).find((e) => e.path === path);
    return entry ? { entry, content: null } : null;
  }

  private archiveContent(snapshot: Snapshot, volume: StoredRef, path: string): Promise<Buffer | null> {
    return this.reading([snapshot], () =>
      this.deps.storedVolumes.fileBytes(snapshot.id, volume, { path, maxBytes: MAX_TEXT_BYTES }),
    );
  }

  /** Runs `read` holding the snapshots' read leases, so no delete or retention removes them meanwhile. */
  private async reading<T>(snapshots: Snapshot[], read: () => T | Promise<T>): Promise<T> {
    const id = JobRunner.newId();
    const holds: Lease[] = [];
    try {
      for (const s of snapshots) holds.push(this.deps.leases.snapshots.hold(s, { id, kind: 'diff' }));
      return await read();
    } finally {
      for (const h of holds) h.release();
    }
  }

  private async liveSide(volume: CurrentVolume, path: string): Promise<FileSide | null> {
    const helper = await helperFor({ jobId: JobRunner.newId() }, this.deps, [volume]);
    try {
      return await readLiveFile({
        source: liveSource(this.deps.docker, volume, helper),
        path,
        maxBytes: MAX_TEXT_BYTES,
      });
    } finally {
      if (helper) await removeHelper(helper).catch(() => undefined);
    }
  }

  private readySnapshot(ref: string): Snapshot {
    const snapshot = this.deps.catalog.resolve(ref);
    if (snapshot.status !== 'ready') {
      const why = snapshot.failureReason ? ` (${snapshot.failureReason})` : '';
      throw new VolsnapError(
        'InvalidInput',
        `Snapshot "${snapshot.name}" is ${snapshot.status}${why}; only ready snapshots can be diffed. \`volsnap list\` shows the others.`,
      );
    }
    return snapshot;
  }

  private sameWorkload(before: Snapshot, ref: string): Snapshot {
    const after = this.readySnapshot(ref);
    if (after.workloadId !== before.workloadId) {
      throw new VolsnapError(
        'InvalidInput',
        `Volsnap cannot diff snapshots of different workloads: "${before.name}" is of ${before.workloadName}, "${after.name}" of ${after.workloadName}.`,
      );
    }
    return after;
  }

  private async currentWorkload(snapshot: Snapshot): Promise<DiscoveredWorkload> {
    try {
      return await this.deps.workloads.resolve(snapshot.workloadId);
    } catch (error) {
      if (!(error instanceof VolsnapError) || error.kind !== 'NotFound') throw error;
    }
    // The workload's containers are gone; its volumes may not be, and a restore would write into
    // them: compare with those that still exist, read through a helper.
    const volumes: DiscoveredWorkload['volumes'] = [];
    for (const { volumeName } of snapshot.volumes) {
      const found = await inspectVolume(this.deps.docker, volumeName);
      if (found) volumes.push({ name: volumeName, driver: found.driver, anonymous: false, mounts: [] });
    }
    if (volumes.length === 0) {
      throw new VolsnapError(
        'NotFound',
        `The workload ${snapshot.workloadName} of snapshot "${snapshot.name}" and its volumes no longer exist on this engine, so there is nothing current to compare with. Compare it with another snapshot instead.`,
      );
    }
    return {
      id: snapshot.workloadId,
      name: snapshot.workloadName,
      kind: 'volume',
      status: 'stopped',
      removed: true,
      containers: [],
      volumes,
      bindMounts: [],
      imageBased: false,
    };
  }
}

/** A path relative to the volume root; `..` is refused so nothing outside the volume is named. */
export function volumePath(input: string): string {
  const parts = input.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new VolsnapError('InvalidInput', `The path "${input}" contains "..": give a path inside the volume.`);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

function findPair<A extends StoredRef | CurrentVolume>(
  pairs: VolumePair<StoredRef, A>[],
  volume: string,
  before: Snapshot,
  otherSide: string,
): VolumePair<StoredRef, A> {
  const pair = pairs.find((p) => p.before?.volumeName === volume || p.after?.volumeName === volume);
  if (pair) return pair;
  const names = [...new Set(pairs.flatMap((p) => [p.before?.volumeName, p.after?.volumeName]))].filter(Boolean);
  throw new VolsnapError(
    'NotFound',
    `No volume "${volume}" in snapshot "${before.name}" or ${otherSide}. Volumes: ${names.join(', ') || 'none'}.`,
  );
}
