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

/** What stopped a check, as the worker reports it (the main thread words it for the user). */
export interface FailedCheck {
  failure: CheckFailure;
  message: string;
  code?: string;
}

/** Every byte of the stream the worker was sent: counted and hashed (SHA-256, hex), checked or not. */
export interface StreamFigures {
  bytes: number;
  sha256: string;
}

/**
 * `read` gives back bytes the worker is done with (the sender's flow control), with the buffer
 * (transferred back, filled again) unless it is the count of what a failed check still held; then,
 * once the stream ended, one verdict: the stream's figures and the check's failure, or null when
 * every entry checked out and the file is written and closed.
 */
export type FromCheckWorker =
  | { type: 'read'; bytes: number; data?: ArrayBuffer }
  | { type: 'verdict'; stream: StreamFigures; failure: FailedCheck | null };
