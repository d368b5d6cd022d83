/** Bytes written between background flushes. */
const FLUSH_EVERY = 32 * 1024 * 1024;

/**
 * How the store's long writes (a capture's archive, an import's stream) reach the disk: every
 * FLUSH_EVERY bytes written, a background fdatasync starts (one at a time), so the disk writes
 * overlap the stream instead of piling up for the final fsync, which the writer still makes. A
 * failed flush is of no consequence here: that final fsync reports it.
 */
export class BackgroundFlush {
  private unflushed = 0;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly datasync: () => Promise<void>) {}

  written(bytes: number): void {
    this.unflushed += bytes;
    if (this.unflushed < FLUSH_EVERY) return;
    this.unflushed = 0;
    this.flushing = this.flushing.then(() => this.datasync()).catch(() => undefined);
  }

  /** Resolves once every flush started so far has ended. */
  settled(): Promise<void> {
    return this.flushing;
  }
}
