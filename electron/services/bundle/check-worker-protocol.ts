import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/** The one volume stream a check worker checks, and what it is checked against. */
export interface CheckJob {
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

/** What stopped a check: a refused entry, a decompression bomb, or a stream that cannot be read. */
export type CheckFailure = 'entry' | 'bomb' | 'unreadable';

/**
 * `read` hands back a chunk the check consumed (the sender's flow control; the buffer, transferred
 * back, is filled again); then one verdict: `done`, or the failure (the main thread words it).
 */
export type FromCheckWorker =
  | { type: 'read'; bytes: number; data: ArrayBuffer }
  | { type: 'done' }
  | { type: 'failed'; failure: CheckFailure; message: string };
