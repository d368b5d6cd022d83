import type { StoredVolume } from '../../store/catalog';
import type { ErrorKind } from '../../../shared/errors';

/**
 * Where the stream-files worker reads from, given when it starts: it opens each volume's stream
 * (layout read, frame sizes summed) while the main thread prepares what goes around them. Plain
 * data: the worker builds its own reader from the data directory (readerForDataDir), as a worker
 * cannot share the main thread's.
 */
export interface StreamFilesSource {
  dataDir: string;
  snapshotId: string;
  volumes: StoredVolume[];
}

/**
 * What the stream-files worker then writes: each volume's compressed stream as a tar file entry
 * (header, bytes, padding), in the order of the source's volumes, with the size the main thread
 * put in its document; the main thread hashes each stream as it takes it (and compares format 1's
 * with the one recorded).
 */
export interface StreamFilesData {
  /** The entries' mtime (ISO): the snapshot's capture time. */
  mtime: string;
  streams: { path: string; sizeBytes: number; sha256: string | null }[];
  /** What a damaged stream's message says was not done. */
  outcome: 'exported' | 'pushed';
}

/** Main thread → worker: what to write (once), then how many bytes went out (flow control). */
export type ToStreamFilesWorker = { type: 'start'; data: StreamFilesData } | { type: 'ack'; bytes: number };

/** Worker → main thread. `data` carries a transferred buffer of entries, in order. */
export type FromStreamFilesWorker =
  | { type: 'data'; data: ArrayBuffer; length: number }
  | { type: 'done' }
  | { type: 'error'; message: string; kind: ErrorKind | null };
