import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/** What the stage worker needs: one volume's archive, where it goes, and what it must contain. */
export interface StageWorkerData {
  archivePath: string;
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
