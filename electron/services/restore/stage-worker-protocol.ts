import type { StoredVolume } from '../../store/catalog';
import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/**
 * Which stored volume a stage worker reads. Plain data: the worker builds its own reader from the
 * data directory (readerForDataDir), as a worker cannot share the main thread's.
 */
export interface StoredSource {
  dataDir: string;
  snapshotId: string;
  volume: StoredVolume;
}

/** What the stage worker needs: one stored volume, where it goes, and what it must contain. */
export interface StageWorkerData {
  source: StoredSource;
  rootName: string;
  stageDir: string;
  manifest: ManifestEntry[];
  specialFiles: SpecialFiles;
  /** Check every entry and file hash but send nothing (the pass before the workload is stopped). */
  dryRun?: boolean;
}

/** Main thread → worker: how many bytes of tar the upload has taken (flow control). */
export type ToStageWorker = { type: 'ack'; bytes: number };

/** Worker → main thread. `data` carries a transferred buffer of re-packed tar. */
export type FromStageWorker =
  | { type: 'data'; data: ArrayBuffer; length: number }
  | { type: 'progress'; files: number }
  | { type: 'done'; files: number }
  | { type: 'error'; message: string; code: string | undefined; refused: boolean };
