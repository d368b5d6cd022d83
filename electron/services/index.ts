import type Docker from 'dockerode';
import { CaptureService } from './capture-service';
import { JobRunner } from './jobs';
import { RetentionService } from './retention-service';
import { SnapshotService } from './snapshot-service';
import { sweep, type SweepReport } from './sweep';
import { WorkloadService } from './workload-service';
import { connectEngine } from '../docker/engine';
import { ArchiveFiles } from '../store/archive-files';
import { Catalog } from '../store/catalog';
import { openDb, type Db } from '../store/db';
import { JobsTable } from '../store/jobs-table';
import { Leases } from '../store/leases';
import { SettingsStore } from '../store/settings-store';

/** Every service, wired once; the Electron shell, the CLI and the web host each hold one. */
export interface Services {
  dataDir: string;
  db: Db;
  docker: Docker;
  catalog: Catalog;
  files: ArchiveFiles;
  leases: Leases;
  settings: SettingsStore;
  jobs: JobRunner;
  workloads: WorkloadService;
  snapshots: SnapshotService;
  retention: RetentionService;
  capture: CaptureService;
  /** Cleans what crashed processes left; safe to call while other processes work. */
  sweep(): Promise<SweepReport>;
  close(): void;
}

export function createServices(options: { dataDir: string; docker?: Docker }): Services {
  const db = openDb(options.dataDir);
  const docker = options.docker ?? connectEngine();
  const catalog = new Catalog(db);
  const files = new ArchiveFiles(options.dataDir);
  const leases = new Leases(db);
  const settings = new SettingsStore(db);
  const jobs = new JobRunner(new JobsTable(db), leases);
  const workloads = new WorkloadService(docker, catalog);
  const snapshots = new SnapshotService(catalog, files, leases);
  const retention = new RetentionService(snapshots, settings);
  const capture = new CaptureService({ docker, db, catalog, files, jobs, workloads, settings, retention });
  jobs.finishedEvents.on((job) => snapshots.changed.emit({ workloadId: job.workloadId }));
  return {
    dataDir: options.dataDir,
    db,
    docker,
    catalog,
    files,
    leases,
    settings,
    jobs,
    workloads,
    snapshots,
    retention,
    capture,
    sweep: () => sweep({ db, catalog, files, leases, docker }),
    close: () => db.close(),
  };
}
