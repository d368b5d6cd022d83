import type { ManifestEntry } from '../../shared/types';
import type { PreviousLayout } from './chunked/chunked-capture';

/** What the main thread sends the archive worker: the tar stream in transferred buffers, then its end. */
export type ToArchiveWorker = { type: 'chunk'; data: ArrayBuffer; length: number } | { type: 'end' };

/** What the archive worker sends back. Entries come in batches so no message blocks the main loop. */
export type FromArchiveWorker =
  | { type: 'progress'; tarBytes: number; files: number }
  /** A batch's buffer handed back once nothing in the worker refers to it, for the next batch. */
  | { type: 'batch'; data: ArrayBuffer }
  | { type: 'entries'; entries: ManifestEntry[] }
  | {
      type: 'done';
      contentBytes: number;
      fileCount: number;
      tarBytes: number;
      storedBytes: number;
      addedBytes?: number;
      sha256: string;
      /** Format 2: the distinct chunks the volume uses, 32-byte hashes back to back. */
      chunks?: ArrayBuffer;
    }
  | { type: 'error'; message: string; code: string | undefined };

export interface ArchiveWorkerData {
  rootName: string;
  tempPath: string;
  /** 1: a zstd tar at tempPath; 2: chunks into the store at dataDir, the layout at tempPath. */
  format: 1 | 2;
  dataDir: string;
  /** Format 2: the volume's layout in the workload's last snapshot, to reuse unchanged files from. */
  previous?: PreviousLayout;
}

export const ENTRY_BATCH = 2000;

/**
 * The worker reports progress each time this many more tar bytes were consumed. Below the main
 * thread's LOW_WATER (volume-archiver.ts), so a paused stream always resumes.
 */
export const REPORT_EVERY = 512 * 1024;
