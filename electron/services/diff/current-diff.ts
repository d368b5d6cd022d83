import type { EngineClient as Docker } from '../../docker/engine';
import { currentVolumes, liveSource, readLiveManifest, type CurrentVolume } from './live-manifest';
import { oneSidedVolumeDiff, totalSummary, volumeDiff } from './manifest-diff';
import { pairVolumes, type VolumePair, type VolumeRef } from './volume-pairs';
import type { JobContext } from '../jobs';
import { withQuiesced, type QuiesceWindow } from '../quiesce';
import { createHelper, ensureHelperImage, removeHelper } from '../../docker/helper';
import type { DiscoveredWorkload } from '../../docker/workloads';
import type { Catalog, StoredVolume } from '../../store/catalog';
import type { Db } from '../../store/db';
import { QuiescedTable } from '../../store/quiesced-table';
import type { SettingsStore } from '../../store/settings-store';
import type { DiffResult, VolumeDiff } from '../../../shared/diff-types';
import type { ManifestEntry, Snapshot } from '../../../shared/types';

/** The name the "after" side has when it is the live volumes. */
export const CURRENT = 'current';

/** A snapshot's volume, recognisable by the mount it was captured through. */
export type StoredRef = StoredVolume & VolumeRef;

export function storedRefs(catalog: Catalog, snapshotId: string): StoredRef[] {
  return catalog
    .storedVolumes(snapshotId)
    .map((v) => ({ ...v, mounts: [{ owner: v.owner, destination: v.mountDestination }] }));
}

export interface CurrentDiffDeps {
  docker: Docker;
  db: Db;
  catalog: Catalog;
  settings: SettingsStore;
}

export interface CurrentDiffPlan {
  snapshot: Snapshot;
  workload: DiscoveredWorkload;
  mode: 'live' | 'pause';
}

/** Pairs a snapshot's volumes with the workload's current ones. */
export function pairWithCurrent(
  catalog: Catalog,
  snapshot: Snapshot,
  workload: DiscoveredWorkload,
): VolumePair<StoredRef, CurrentVolume>[] {
  return pairVolumes(storedRefs(catalog, snapshot.id), currentVolumes(workload));
}

/**
 * The work of a diff against the live volumes, run as a job: read every current volume's
 * manifest (freezing the workload for the read in `pause` mode), then compare with the snapshot.
 */
export async function diffAgainstCurrent(
  ctx: JobContext,
  deps: CurrentDiffDeps,
  plan: CurrentDiffPlan,
): Promise<DiffResult> {
  const pairs = pairWithCurrent(deps.catalog, plan.snapshot, plan.workload);
  const live = await readCurrent(ctx, deps, plan, pairs);
  ctx.progress({ phase: 'comparing' });
  const volumes: VolumeDiff[] = pairs.map(({ before, after }) => {
    const now = after && live.get(after);
    if (before && now)
      return volumeDiff(before.volumeName, deps.catalog.manifest(plan.snapshot.id, before.position), now);
    if (before)
      return oneSidedVolumeDiff(
        before.volumeName,
        'before-only',
        deps.catalog.manifest(plan.snapshot.id, before.position),
      );
    return oneSidedVolumeDiff(after!.volumeName, 'after-only', now ?? []);
  });
  return { snapshotId: plan.snapshot.id, against: CURRENT, summary: totalSummary(volumes), volumes };
}

/** Reads the manifests of the current volumes; the workload is always resumed and helpers removed. */
async function readCurrent(
  ctx: JobContext,
  deps: CurrentDiffDeps,
  plan: CurrentDiffPlan,
  pairs: VolumePair<StoredRef, CurrentVolume>[],
): Promise<Map<CurrentVolume, ManifestEntry[]>> {
  const { docker, db } = deps;
  const current = pairs.flatMap((p) => (p.after ? [p.after] : []));
  ctx.progress({ phase: 'preparing' });
  const helper = await helperFor(ctx, deps, current);
  const live = new Map<CurrentVolume, ManifestEntry[]>();
  const window: QuiesceWindow = {
    docker,
    table: new QuiescedTable(db),
    jobId: ctx.jobId,
    containers: plan.workload.containers,
    mode: plan.mode,
    what: 'diff',
    onResume: () => ctx.progress({ phase: 'resuming' }),
  };
  try {
    if (plan.mode === 'pause') ctx.progress({ phase: 'pausing' });
    await withQuiesced(window, async () => {
      let doneBefore = 0;
      for (const volume of current) {
        ctx.checkCancelled();
        let volumeBytes = 0;
        const entries = await readLiveManifest({
          source: liveSource(docker, volume, helper),
          volumeName: volume.volumeName,
          signal: ctx.signal,
          onProgress: (tarBytes, filesDone) => {
            volumeBytes = tarBytes;
            ctx.progress({
              phase: 'reading',
              volume: volume.volumeName,
              bytesDone: doneBefore + tarBytes,
              filesDone,
            });
          },
        });
        doneBefore += volumeBytes;
        live.set(volume, entries);
      }
    });
  } finally {
    if (helper) await removeHelper(helper).catch(() => undefined);
  }
  return live;
}

/** A helper for the volumes no workload container can serve alone (nested mounts), if any. */
export async function helperFor(
  ctx: { jobId: string },
  deps: { docker: Docker; settings: SettingsStore },
  volumes: CurrentVolume[],
): Promise<Docker.Container | null> {
  const orphans = volumes.filter((v) => v.reader === null).map((v) => v.volumeName);
  if (orphans.length === 0) return null;
  const image = deps.settings.get('helperImage');
  await ensureHelperImage(deps.docker, image);
  return createHelper(deps.docker, { image, volumes: orphans, readOnly: true, jobId: ctx.jobId });
}
