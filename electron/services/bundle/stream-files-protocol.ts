import type { ListLocations } from '../chunked/list-locations';
import type { StoredVolume } from '../../store/catalog';
import type { ErrorKind } from '../../../shared/errors';

/**
 * Where the stream-files worker reads from, given when it starts: it opens each volume's stream
 * (layout read, frame sizes summed) and tells their sizes while the main thread prepares what goes
 * around them. Plain data: the worker builds its own reader from the data directory
 * (readerForDataDir), as a worker cannot share the main thread's.
 */
export interface StreamFilesSource {
  dataDir: string;
  snapshotId: string;
  volumes: StoredVolume[];
  /** The main thread sends the snapshot's chunk locations (`locations`): the worker waits for them. */
  locationsFollow: boolean;
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
  /**
   * Check the later half of each stream's chunks after the last stream, not on the way (`checked`
   * follows `done`): for a writer that reads its output back, on one core, once it is written.
   */
  checkLater: boolean;
}

/**
 * Main thread → worker: the snapshot's chunk locations when the source says they follow (null:
 * the worker looks them up itself), what to write (once), then how many bytes went out (flow
 * control) and, when the sink is done with it, the buffer that held them (transferred back, to be
 * filled again).
 */
export type ToStreamFilesWorker =
  | { type: 'locations'; locations: ListLocations | null }
  | { type: 'start'; data: StreamFilesData }
  | { type: 'ack'; bytes: number; handedBack?: ArrayBuffer };

/** A volume's stream as opened: its size, and format 1's recorded sha256 (null: measured on the way). */
export interface OpenedStream {
  sizeBytes: number;
  sha256: string | null;
}

/**
 * Worker → main thread: the streams opened, in the source's order; then buffers of entries, in
 * order; `done` once they are all sent; with `checkLater`, `checked` once the rest is checked.
 */
export type FromStreamFilesWorker =
  | { type: 'opened'; streams: OpenedStream[] }
  | { type: 'data'; data: ArrayBuffer; length: number }
  | { type: 'done' }
  | { type: 'checked' }
  | { type: 'error'; message: string; kind: ErrorKind | null };
