import type { JobContext } from '../jobs';
import type { JournalPlan, RestoreJournal } from './journal';
import { stageVolume } from './stage';
import type { StoredSource } from './stage-worker-protocol';
import type { EngineClient as Docker } from '../../docker/engine';
import { createHelper, removeHelper } from '../../docker/helper';
import type { Catalog } from '../../store/catalog';

/**
 * Stages every volume of a journaled plan through one helper mounting all targets, journaling
 * each step (restore and clone share it: the same entry checks, the same progress).
 */
export async function stageAll(
  deps: { dataDir: string; docker: Docker; catalog: Catalog; journal: RestoreJournal },
  ctx: JobContext,
  plan: JournalPlan,
): Promise<void> {
  const helper = await createHelper(deps.docker, {
    image: plan.helperImage,
    volumes: plan.volumes.map((v) => v.target),
    readOnly: false,
    jobId: ctx.jobId,
  });
  const total = plan.volumes.reduce((sum, v) => sum + v.sizeBytes, 0);
  const specialFiles = deps.catalog.get(plan.snapshotId)?.specialFiles ?? 'refused';
  const stored = deps.catalog.storedVolumes(plan.snapshotId);
  let before = 0;
  try {
    for (const volume of plan.volumes) {
      ctx.checkCancelled();
      deps.journal.step(ctx.jobId, 'stage', volume.target);
      const source: StoredSource = {
        dataDir: deps.dataDir,
        snapshotId: plan.snapshotId,
        volume: stored.find((v) => v.position === volume.position) ?? missingVolume(volume.volumeName),
      };
      await stageVolume({
        helper,
        source,
        volume,
        manifest: deps.catalog.manifest(plan.snapshotId, volume.position),
        specialFiles,
        jobId: ctx.jobId,
        signal: ctx.signal,
        onProgress: (bytes, files) =>
          ctx.progress({
            phase: 'staging',
            volume: volume.target,
            bytesDone: before + bytes,
            bytesTotal: total,
            filesDone: files,
            ratio: total > 0 ? Math.min(1, (before + bytes) / total) : null,
          }),
      });
      before += volume.sizeBytes;
    }
  } finally {
    await removeHelper(helper).catch(() => undefined);
  }
}

function missingVolume(volumeName: string): never {
  // The snapshot's row went away under a held lease: only a damaged catalog does that.
  throw new Error(`the catalog no longer lists volume ${volumeName} of this snapshot`);
}
