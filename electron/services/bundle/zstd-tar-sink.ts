import { Writable } from 'node:stream';
import type { Parser } from 'tar';
import { DCtx } from 'zstd-napi/binding';

/** Two output slabs, used in turn; each call gets at least zstd's recommended room (ZSTD_DStreamOutSize). */
const SLAB = 1024 * 1024;
const MIN_ROOM = 128 * 1024;

export interface ZstdTarSinkOptions {
  /** Most bytes the stream may expand to; more fails with `tooLarge()` before the parser sees them. */
  maxBytes: number;
  tooLarge: () => Error;
  /** Called once a written chunk was decompressed and parsed through: its memory is no longer read. */
  onConsumed?: (chunk: Buffer) => void;
}

/**
 * Decompresses a zstd stream straight into tar's Parser, as zstd-napi's DecompressStream piped
 * through a byte limit into the parser would (same errors), but into two reused 1 MiB slabs instead
 * of a fresh 128 KiB buffer per block: touching new memory for every block cost more than the
 * decompression itself. A slab is written again only after every piece of it went through the
 * parser: a write that returned true (or its drain) means the entries passed their data on (the
 * import hashes it at once), and the parser's leftover of an unfinished header is copied (concat)
 * by the next write, which comes from the other slab.
 */
export class ZstdTarSink extends Writable {
  private readonly dctx = new DCtx();
  private readonly slabs = [Buffer.allocUnsafeSlow(SLAB), Buffer.allocUnsafeSlow(SLAB)];
  private current = 0;
  private used = 0;
  private inFrame = false;
  private expanded = 0;
  private parseError: Error | null = null;
  private readonly ended: Promise<void>;

  constructor(
    private readonly parser: Parser,
    private readonly options: ZstdTarSinkOptions,
  ) {
    super();
    this.ended = new Promise((resolve) => parser.on('end', () => resolve()));
    parser.on('error', (error: Error) => (this.parseError ??= error));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.feed(chunk).then(() => {
      this.options.onConsumed?.(chunk);
      callback();
    }, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.inFrame) return callback(new Error('Stream ended in middle of compressed data frame'));
    this.parser.end();
    // The parser's first error, as a sink over it reports it (after the whole stream was read).
    if (this.parseError) return callback(this.parseError);
    let called = false;
    const finish = (error: Error | null) => {
      if (called) return;
      called = true;
      callback(error);
    };
    void this.ended.then(() => finish(this.parseError));
    this.parser.once('error', finish);
  }

  private async feed(chunk: Buffer): Promise<void> {
    let input = chunk;
    for (;;) {
      if (SLAB - this.used < MIN_ROOM) {
        this.current = 1 - this.current;
        this.used = 0;
      }
      const slab = this.slabs[this.current]!;
      const room = SLAB - this.used;
      const [left, produced, consumed] = this.dctx.decompressStream(slab.subarray(this.used), input);
      input = input.subarray(consumed);
      if (produced > 0) {
        this.expanded += produced;
        if (this.expanded > this.options.maxBytes) throw this.options.tooLarge();
        const piece = slab.subarray(this.used, (this.used += produced));
        if (!this.parser.write(piece)) await this.drained();
      }
      if (input.length === 0 && (produced < room || left === 0)) {
        this.inFrame = left !== 0;
        return;
      }
    }
  }

  /** The parser's entries passed on what they held; a failed parser never drains, and needs no more. */
  private drained(): Promise<void> {
    if (this.parseError) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.parser.off('drain', done);
        this.parser.off('error', done);
        resolve();
      };
      this.parser.on('drain', done);
      this.parser.on('error', done);
    });
  }
}
