import type { ManifestEntry } from '../../shared/types';

/** What the main thread sends the archive worker: the tar stream in transferred buffers, then its end. */
export type ToArchiveWorker = { type: 'chunk'; data: ArrayBuffer; length: number } | { type: 'end' };

/** What the archive worker sends back. Entries come in batches so no message blocks the main loop. */
export type FromArchiveWorker =
  | { type: 'progress'; tarBytes: number; files: number }
  | { type: 'entries'; entries: ManifestEntry[] }
  | {
      type: 'done';
      contentBytes: number;
      fileCount: number;
      tarBytes: number;
      storedBytes: number;
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
}

export const ENTRY_BATCH = 2000;
