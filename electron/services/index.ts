import type { EngineClient as Docker } from '../docker/engine';
import { CaptureService } from './capture-service';
import { DiffService } from './diff/diff-service';
import { assertWritableDataDir } from './data-dir-pointer';
import { JobRunner } from './jobs';
import { RestoreService } from './restore/restore-service';
import { CloneService } from './restore/clone-service';
import { RetentionService } from './retention-service';
import { ScheduleService } from './schedule-service';
import { SnapshotService } from './snapshot-service';
import { SnapshotFiles } from './snapshot-files/snapshot-files';
import { sweep, type SweepReport } from './sweep';
import { WorkloadService } from './workload-service';
import { connectEngine } from '../docker/engine';
import { ArchiveFiles } from '../store/archive-files';
import { Catalog } from '../store/catalog';
import { ManifestFiles } from '../store/manifest-files';
import { openDb, type Db } from '../store/db';
import { CatalogWatch } from '../store/catalog-watch';
import { JobsTable } from '../store/jobs-table';
import { Leases } from '../store/leases';
import { SettingsStore } from '../store/settings-store';
import { EngineRegistry } from '../store/engine-registry';
import { QuiescedTable } from '../store/quiesced-table';
import { EngineScope } from './engine-scope';

/** Every service, wired once; the Electron shell, the CLI and the web host each hold one. */
export interface Services {
  dataDir: string;
  db: Db;
  docker: Docker;
  catalog: Catalog;
  /** What hosts poll to notice other processes' catalog writes. */
  catalogWatch: CatalogWatch;
  files: ArchiveFiles;
  leases: Leases;
  settings: SettingsStore;
  /** Which snapshots belong to the connected engine. */
  engines: EngineScope;
  jobs: JobRunner;
  workloads: WorkloadService;
  snapshots: SnapshotService;
  retention: RetentionService;
  capture: CaptureService;
  restore: RestoreService;
  /** Snapshots into new volumes (`volsnap clone`). */
  clone: CloneService;
  diff: DiffService;
  /** Scheduled captures per engine and workload (`volsnap schedule`, the app's background scheduler). */
  schedules: ScheduleService;
  /** What a snapshot holds, read from the store without the Engine (ls, cat, extract, downloads). */
  snapshotFiles: SnapshotFiles;
  /** Cleans what crashed processes left; safe to call while other processes work. */
  sweep(): Promise<SweepReport>;
  close(): void;
}

export function createServices(options: { dataDir: string; docker?: Docker }): Services {
  assertWritableDataDir(options.dataDir);
  const db = openDb(options.dataDir);
  const docker = options.docker ?? connectEngine();
  const catalog = new Catalog(db);
  const files = new ArchiveFiles(options.dataDir);
  const leases = new Leases(db);
  const settings = new SettingsStore(db);
  const jobsTable = new JobsTable(db);
  const jobs = new JobRunner(jobsTable, leases);
  const workloads = new WorkloadService(docker, catalog);
  const snapshots = new SnapshotService(catalog, files, leases);
  const retention = new RetentionService(snapshots, settings);
  const registry = new EngineRegistry(db);
  const capture = new CaptureService({
    dataDir: options.dataDir,
    docker,
    db,
    catalog,
    files,
    jobs,
    workloads,
    settings,
    retention,
    registry,
    quiesced: new QuiescedTable(db),
  });
  const restore = new RestoreService({
    dataDir: options.dataDir,
    docker,
    db,
    catalog,
    files,
    leases,
    jobs,
    jobsTable,
    capture,
    settings,
  });
  const diff = new DiffService({ docker, db, catalog, files, jobs, workloads, settings, leases });
  jobs.finishedEvents.on((job) => snapshots.changed.emit({ workloadId: job.workloadId }));
  return {
    dataDir: options.dataDir,
    db,
    docker,
    catalog,
    catalogWatch: new CatalogWatch(db),
    files,
    leases,
    settings,
    engines: new EngineScope(docker, registry),
    jobs,
    workloads,
    snapshots,
    retention,
    capture,
    restore,
    clone: new CloneService({ dataDir: options.dataDir, docker, db, catalog, files, leases, jobs, settings }),
    diff,
    schedules: new ScheduleService({
      db,
      docker,
      engines: new EngineScope(docker, new EngineRegistry(db)),
      leases,
      capture,
      workloads,
    }),
    snapshotFiles: new SnapshotFiles({ dataDir: options.dataDir, catalog, files, leases, manifests: new ManifestFiles(db) }),
    sweep: async () => {
      // Recovery first: it needs the helpers and jobs the sweep would clear. An engine that is down
      // leaves the journal open; restores of that workload refuse until `volsnap recover` succeeds.
      await restore.recover().catch(() => undefined);
      return sweep({ db, catalog, files, leases, docker });
    },
    close: () => db.close(),
  };
}
