import { closeSync, fdatasync, openSync, writeSync } from 'node:fs';

/** Bytes written between background flushes. */
const FLUSH_EVERY = 32 * 1024 * 1024;

/**
 * A new file (mode 0600) written with plain synchronous writes, for the import's check worker: there
 * a write blocks only the worker, and costs a fraction of an asynchronous one handed to the thread
 * pool per chunk. Every FLUSH_EVERY bytes a background fdatasync starts, so the disk writes overlap
 * the stream instead of piling up for the commit's fsync (which still runs).
 */
export class FlushingFile {
  private readonly fd: number;

  private unflushed = 0;

  private flushing: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.fd = openSync(file, 'wx', 0o600);
  }

  write(bytes: Uint8Array): void {
    for (let offset = 0; offset < bytes.length;) offset += writeSync(this.fd, bytes, offset);
    this.unflushed += bytes.length;
    if (this.unflushed < FLUSH_EVERY) return;
    this.unflushed = 0;
    // One flush at a time; a failed one is of no consequence: the commit fsyncs the file.
    this.flushing = this.flushing.then(() => new Promise((resolve) => fdatasync(this.fd, () => resolve())));
  }

  async close(): Promise<void> {
    await this.flushing;
    closeSync(this.fd);
  }
}
