/** Bytes written between background flushes. */
const FLUSH_EVERY = 32 * 1024 * 1024;

/**
 * How long writes (a capture's archive, an import's stream, an exported bundle) reach the disk:
 * every FLUSH_EVERY bytes written, a background fdatasync starts (one at a time), so the disk
 * writes overlap the stream instead of piling up for the final fsync, which the writer still makes.
 * A failed flush fails `settled`: Linux reports a write-back error to a file once, so the final
 * fsync on the same file may not see the error a background flush saw (and the pages it lost).
 */
export class BackgroundFlush {
  private unflushed = 0;
  private flushing: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  constructor(private readonly datasync: () => Promise<void>) {}

  written(bytes: number): void {
    this.unflushed += bytes;
    if (this.unflushed < FLUSH_EVERY) return;
    this.unflushed = 0;
    // After a failure no flush is tried again: the file is lost either way.
    this.flushing = this.flushing
      .then(() => (this.failure ? undefined : this.datasync()))
      .catch((error: unknown) => void (this.failure ??= { error }));
  }

  /** Resolves once every flush started so far has ended; rejects with the first that failed. */
  async settled(): Promise<void> {
    await this.flushing;
    if (this.failure) throw this.failure.error;
  }
}
