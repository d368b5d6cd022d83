import type { StoredVolume } from '../../store/catalog';
import type { ErrorKind } from '../../../shared/errors';

/**
 * What the stream-files worker writes: each stored volume's compressed stream as a tar file entry
 * (header, bytes, padding), with the size the main thread put in its document; the main thread
 * hashes each stream as it takes it (and compares format 1's with the one recorded). Plain data:
 * the worker builds its own reader from the data directory (readerForDataDir), as a worker cannot
 * share the main thread's.
 */
export interface StreamFilesData {
  dataDir: string;
  snapshotId: string;
  /** The entries' mtime (ISO): the snapshot's capture time. */
  mtime: string;
  streams: { path: string; volume: StoredVolume; sizeBytes: number; sha256: string | null }[];
  /** What a damaged stream's message says was not done. */
  outcome: 'exported' | 'pushed';
}

/** Main thread → worker: how many bytes went out (flow control). */
export type ToStreamFilesWorker = { type: 'ack'; bytes: number };

/** Worker → main thread. `data` carries a transferred buffer of entries, in order. */
export type FromStreamFilesWorker =
  | { type: 'data'; data: ArrayBuffer; length: number }
  | { type: 'done' }
  | { type: 'error'; message: string; kind: ErrorKind | null };
