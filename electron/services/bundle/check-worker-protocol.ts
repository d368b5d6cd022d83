import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/** The one volume stream a check worker writes and checks, and what it is checked against. */
export interface CheckJob {
  /** A new file in the import's temporary area: the worker writes the stream there as it comes. */
  file: string;
  volumeName: string;
  manifest: ManifestEntry[];
  specialFiles: SpecialFiles;
  maxTarBytes: number;
}

/**
 * First the job (a worker is started before its stream is known, so it boots meanwhile), then the
 * stream's compressed bytes in transferred buffers, then its end.
 */
export type ToCheckWorker =
  { type: 'job'; job: CheckJob } | { type: 'chunk'; data: ArrayBuffer; length: number } | { type: 'end' };

/** The stream expanded beyond `maxTarBytes`: a decompression bomb. */
export class Bomb extends Error {}

/**
 * What stopped a check: a refused entry, a decompression bomb, a stream that cannot be read, or the
 * writing of the stream's file (the disk is full, say).
 */
export type CheckFailure = 'entry' | 'bomb' | 'unreadable' | 'write';

/**
 * `read` hands back a chunk the check consumed (the sender's flow control; the buffer, transferred
 * back, is filled again); then one verdict: `done` (every entry checked, the file written and
 * closed), or the failure (the main thread words it).
 */
export type FromCheckWorker =
  | { type: 'read'; bytes: number; data: ArrayBuffer }
  | { type: 'done' }
  | { type: 'failed'; failure: CheckFailure; message: string; code?: string };
