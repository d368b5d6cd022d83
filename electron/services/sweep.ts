import type { EngineClient as Docker } from '../docker/engine';
import path from 'node:path';
import { sweepIncoming } from './bundle/incoming';
import { removeDeadPartialExports } from './bundle/partial-export-files';
import { resume } from './quiesce';
import { removeStaleHelpers } from '../docker/helper';
import { removeDeadLocks } from '../docker/volume-lock';
import type { ArchiveFiles } from '../store/archive-files';
import type { Catalog } from '../store/catalog';
import type { Db } from '../store/db';
import { JobsTable } from '../store/jobs-table';
import { PartialExports } from '../store/partial-exports';
import type { Leases } from '../store/leases';
import { QuiescedTable } from '../store/quiesced-table';

export interface SweepReport {
  failedCaptures: number;
  removedDirs: number;
  resumedContainers: number;
  removedHelpers: number;
  /** Engine-wide volume locks whose owning process (of any store on this host) is gone. */
  removedLocks: number;
  /** Temporary files that exports killed mid-way left beside their output. */
  removedPartialExports: number;
}

/**
 * Cleans what a crash left behind, at every start: captures whose process died become `failed`
 * with their files removed, temp files and archive folders with no row go, containers a dead
 * capture paused or stopped are resumed, read leases and volume locks of dead processes go, and so
 * do the temporary files of exports killed mid-way (beside their output, outside the store). Work of
 * live processes (leases, locks) is left alone.
 */
export async function sweep(deps: {
  db: Db;
  catalog: Catalog;
  files: ArchiveFiles;
  leases: Leases;
  docker: Docker | null;
}): Promise<SweepReport> {
  const { db, catalog, files, leases } = deps;
  // Jobs of live processes (this one included) are left alone, leased or not (a live diff is not).
  const jobs = new JobsTable(db);
  const liveJobs = jobs.liveIds();
  const report: SweepReport = {
    failedCaptures: 0,
    removedDirs: 0,
    resumedContainers: 0,
    removedHelpers: 0,
    removedLocks: 0,
    removedPartialExports: 0,
  };

  // A capture is live while its workload's lease is held by a live process (the app, a CLI).
  const liveSnapshots = new Set(
    catalog.idsWithStatus('capturing').filter((id) => leases.holder(catalog.get(id)!.workloadId) !== null),
  );
  for (const id of catalog.idsWithStatus('capturing')) {
    if (liveSnapshots.has(id)) continue;
    await files.removeDir(id);
    catalog.markFailed(id, 'interrupted: Volsnap stopped during the capture');
    report.failedCaptures++;
  }
  // A dead import's temporary area goes; a live import's archives (no row until it commits) stay.
  const incoming = await sweepIncoming(path.dirname(files.root));
  report.removedDirs += incoming.removed;
  const known = catalog.allIds();
  for (const dir of await files.listSnapshotDirs()) {
    if (!known.has(dir) && !incoming.liveIds.has(dir)) {
      await files.removeDir(dir).catch(() => undefined);
      report.removedDirs++;
    } else if (!liveSnapshots.has(dir)) {
      await files.removeTemps(dir);
    }
  }
  report.removedPartialExports = await removeDeadPartialExports(new PartialExports(db));
  jobs.failDead('Interrupted: the Volsnap process running it stopped before it finished.');
  leases.snapshots.removeDead();
  if (deps.docker) {
    await resumeOrphans(deps.docker, db, jobs, liveJobs, report).catch(() => undefined);
    report.removedLocks = await removeDeadLocks(deps.docker).catch(() => 0);
  }
  return report;
}

/** Resumes containers a dead capture paused or stopped, and removes dead jobs' helpers. */
async function resumeOrphans(
  docker: Docker,
  db: Db,
  jobs: JobsTable,
  liveJobs: Set<string>,
  report: SweepReport,
): Promise<void> {
  const quiesced = new QuiescedTable(db);
  const orphaned = quiesced.all().filter((r) => !liveJobs.has(r.jobId));
  const errors = await resume(
    docker,
    orphaned.map((r) => ({ containerId: r.containerId, action: r.action })),
  );
  if (errors.length === 0) {
    for (const r of orphaned) quiesced.clear(r.jobId);
    report.resumedContainers = orphaned.length;
  }
  report.removedHelpers = await removeStaleHelpers(docker, (jobId) => !liveJobs.has(jobId) && jobs.has(jobId));
}
