import type { EngineClient as Docker } from '../docker/engine';
import { CaptureService } from './capture-service';
import { DiffService } from './diff/diff-service';
import { assertWritableDataDir } from './data-dir-pointer';
import { JobRunner } from './jobs';
import { RestoreService } from './restore/restore-service';
import { CloneService } from './restore/clone-service';
import { RetentionService } from './retention-service';
import { StoreUsageService } from './store-usage-service';
import { ScheduleService } from './schedule-service';
import { SnapshotService } from './snapshot-service';
import { SnapshotFiles } from './snapshot-files/snapshot-files';
import { storedVolumeReader, type StoredVolumeReader } from './stored-volumes/stored-volume-reader';
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
import { SpaceReserve } from '../store/space-reserve';
import { EngineRegistry } from '../store/engine-registry';
import { QuiescedTable } from '../store/quiesced-table';
import { StoreLock } from '../store/store-lock';
import { ChunkGarbage } from '../store/chunks/chunk-garbage';
import { ChunkIndex } from '../store/chunks/chunk-index';
import { ChunkUsers } from '../store/chunks/chunk-users';
import { PackFiles } from './chunked/pack-files';
import { StoreGc } from './chunked/store-gc';
import { StoreMigration } from './chunked/store-migration';
import { removeUnlistedArchives } from './chunked/unlisted-archives';
import { FormatMigrationRows } from '../store/chunks/format-migration-rows';
import { archiveTar } from './volume-archiver';
import { VolsnapError } from '../../shared/errors';
import { removeDeadScratch } from './stored-volumes/format-two';
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
  /** The one reader of stored volume data (restore, diff, verify, export, push, extract, browse). */
  storedVolumes: StoredVolumeReader;
  leases: Leases;
  settings: SettingsStore;
  /** Which snapshots belong to the connected engine. */
  engines: EngineScope;
  jobs: JobRunner;
  workloads: WorkloadService;
  snapshots: SnapshotService;
  retention: RetentionService;
  /** Store size, what deleting each snapshot frees, the quota's estimates (`volsnap usage`). */
  usage: StoreUsageService;
  capture: CaptureService;
  restore: RestoreService;
  /** Snapshots into new volumes (`volsnap clone`). */
  clone: CloneService;
  diff: DiffService;
  /** Scheduled captures per engine and workload (`volsnap schedule`, the app's background scheduler). */
  schedules: ScheduleService;
  /** What a snapshot holds, read from the store without the Engine (ls, cat, extract, downloads). */
  snapshotFiles: SnapshotFiles;
  /** Frees chunks no snapshot uses (`volsnap gc`; after delete and prune). */
  gc: StoreGc;
  /** Converts format 1 archives to chunks (the background scheduler; `volsnap migrate`). */
  migration: StoreMigration;
  /** Room kept on the data dir's disk so snapshots can still be deleted when it is full. */
  reserve: SpaceReserve;
  /** Cleans what crashed processes left (and makes the space reserve); safe beside other processes. */
  sweep(): Promise<SweepReport>;
  close(): void;
}

export function createServices(options: { dataDir: string; docker?: Docker }): Services {
  assertWritableDataDir(options.dataDir);
  const db = openDb(options.dataDir);
  const docker = options.docker ?? connectEngine();
  const catalog = new Catalog(db);
  const files = new ArchiveFiles(options.dataDir);
  const reserve = new SpaceReserve(options.dataDir);
  const packs = new PackFiles(options.dataDir);
  const chunkIndex = new ChunkIndex(db);
  const chunkUsers = new ChunkUsers(db);
  const storedVolumes = storedVolumeReader({ files, chunks: () => ({ index: chunkIndex, packs, users: chunkUsers }) });
  const leases = new Leases(db);
  const settings = new SettingsStore(db);
  const jobsTable = new JobsTable(db);
  const jobs = new JobRunner(jobsTable, leases);
  const workloads = new WorkloadService(docker, catalog);
  const storeLock = new StoreLock(db);
  const gc = new StoreGc({
    index: chunkIndex,
    garbage: new ChunkGarbage(db),
    packs,
    lock: storeLock,
    readersActive: () => leases.snapshots.heldIds().size > 0,
    removeUnlistedArchives: () =>
      removeUnlistedArchives({ files, catalog, heldSnapshots: () => leases.snapshots.heldIds() }),
  });
  const collect = () => gc.runIfIdle();
  // Retention prunes inside a capture job, whose workload lease keeps the collection out: it is
  // owed until a job ends (setImmediate: after the job's lease is released), then tried again.
  let collectionOwed = false;
  const collectWhenFree = () => {
    collectionOwed = true;
    setImmediate(() => {
      if (!collectionOwed) return;
      void collect().then(
        (report) => {
          if (report) collectionOwed = false;
        },
        () => undefined,
      );
    });
  };
  const snapshots = new SnapshotService(catalog, files, leases, storedVolumes, collect);
  const usage = new StoreUsageService({ db, dataDir: options.dataDir, settings, reserve });
  const retention = new RetentionService(snapshots, settings, {
    usage,
    afterPrune: () => Promise.resolve(collectWhenFree()),
  });
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
    storeLock,
    // Tests make stores as the release before format 2 wrote them, to migrate.
    storeFormat: process.env.VOLSNAP_TEST_STORE_FORMAT === '1' ? 1 : undefined,
  });
  const restore = new RestoreService({
    dataDir: options.dataDir,
    docker,
    db,
    catalog,
    storedVolumes,
    leases,
    jobs,
    jobsTable,
    capture,
    settings,
  });
  const diff = new DiffService({ docker, db, catalog, storedVolumes, jobs, workloads, settings, leases });
  jobs.finishedEvents.on((job) => {
    snapshots.changed.emit({ workloadId: job.workloadId });
    if (collectionOwed) collectWhenFree();
  });
  return {
    dataDir: options.dataDir,
    db,
    docker,
    catalog,
    catalogWatch: new CatalogWatch(db),
    files,
    storedVolumes,
    leases,
    settings,
    engines: new EngineScope(docker, registry),
    jobs,
    workloads,
    snapshots,
    retention,
    usage,
    capture,
    restore,
    clone: new CloneService({ dataDir: options.dataDir, docker, db, catalog, storedVolumes, leases, jobs, settings }),
    diff,
    schedules: new ScheduleService({
      db,
      docker,
      engines: new EngineScope(docker, new EngineRegistry(db)),
      leases,
      capture,
      workloads,
      dataDir: options.dataDir,
      settings,
    }),
    snapshotFiles: new SnapshotFiles({
      dataDir: options.dataDir,
      catalog,
      storedVolumes,
      leases,
      manifests: new ManifestFiles(db),
    }),
    sweep: async () => {
      // Recovery first: it needs the helpers and jobs the sweep would clear. An engine that is down
      // leaves the journal open; restores of that workload refuse until `volsnap recover` succeeds.
      await restore.recover().catch(() => undefined);
      const report = await sweep({ db, catalog, files, leases, docker });
      // A crashed capture's packs: removed only when no capture runs anywhere (store-lock.ts).
      await gc.removeLeftovers().catch(() => 0);
      await removeDeadScratch(files).catch(() => 0);
      reserve.keep(() => usage.storedBytes());
      return report;
    },
    reserve,
    gc,
    migration: new StoreMigration({
      rows: new FormatMigrationRows(db),
      catalog,
      files,
      storedVolumes,
      snapshotLeases: leases.snapshots,
      lock: storeLock,
      dataDir: options.dataDir,
      chunkTar: (tar) =>
        archiveTar({
          ...tar,
          format: 2,
          dataDir: options.dataDir,
          onProgress: () => undefined,
          sourceError: (error) =>
            new VolsnapError('Integrity', `the archive of ${tar.volumeName} cannot be read (${error.message})`),
          cancelled: () => new VolsnapError('Cancelled', 'The store conversion stopped; it resumes on the next start.'),
        }),
    }),
    close: () => db.close(),
  };
}
