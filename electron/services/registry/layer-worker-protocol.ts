import type { StoredVolume } from '../../store/catalog';
import type { ErrorKind } from '../../../shared/errors';

/**
 * What the layer worker writes: each stored volume's stream as a layer file (header, bytes,
 * padding), with the size the main thread put in the layer's document and its sha256 when one is
 * recorded (format 1); format 2's is measured on the way. Plain data: the worker builds its own
 * reader from the data directory (readerForDataDir), as a worker cannot share the main thread's.
 */
export interface LayerWorkerData {
  dataDir: string;
  snapshotId: string;
  /** The layer files' mtime (ISO): the snapshot's capture time. */
  mtime: string;
  streams: { path: string; volume: StoredVolume; sizeBytes: number; sha256: string | null }[];
}

/** Main thread → worker: how many bytes of layer went out (flow control). */
export type ToLayerWorker = { type: 'ack'; bytes: number };

/** Worker → main thread. `data` carries a transferred buffer of layer; `done` the streams' sha256s, in order. */
export type FromLayerWorker =
  | { type: 'data'; data: ArrayBuffer; length: number }
  | { type: 'done'; sha256s: string[] }
  | { type: 'error'; message: string; kind: ErrorKind | null };
