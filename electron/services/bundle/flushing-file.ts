import { closeSync, fdatasync, openSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { BackgroundFlush } from '../background-flush';

/**
 * A new file (mode 0600) written with plain synchronous writes, for the import's check worker: there
 * a write blocks only the worker, and costs a fraction of an asynchronous one handed to the thread
 * pool per chunk. Its bytes go to disk as they come (`BackgroundFlush`); the import's commit
 * fsyncs the file.
 */
export class FlushingFile {
  private readonly fd: number;

  private readonly flushes: BackgroundFlush;

  constructor(file: string) {
    const fd = openSync(file, 'wx', 0o600);
    this.fd = fd;
    this.flushes = new BackgroundFlush(() => promisify(fdatasync)(fd));
  }

  write(bytes: Uint8Array): void {
    for (let offset = 0; offset < bytes.length;) offset += writeSync(this.fd, bytes, offset);
    this.flushes.written(bytes.length);
  }

  /** Closes the file once its background flushes ended; fails if one failed (its bytes may not be on disk). */
  async close(): Promise<void> {
    try {
      await this.flushes.settled();
    } finally {
      closeSync(this.fd);
    }
  }
}
