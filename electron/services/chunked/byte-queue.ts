/**
 * Exact-length reads over an async byte source. `take` returns a copy (the few bytes a caller
 * keeps: headers, records, padding); file contents stream as views of the pieces as they arrive,
 * each valid until the next read. So once every byte of a piece the source gave has been read and
 * a next read asked for, nothing here or in the caller refers to it: `onSpent` gets it then, and
 * may reuse its memory (the archive worker hands its batches back to the main thread).
 */
export class ByteQueue {
  private pieces: Buffer[] = [];
  private buffered = 0;
  private done = false;
  /** Bytes taken from the source so far. */
  bytesRead = 0;
  /** Bytes handed out so far, by `take` or `stream`. */
  private handedOut = 0;
  /** The source's pieces not yet spent, each with the stream offset it ends at. */
  private unspent: { piece: Uint8Array; end: number }[] = [];

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    private readonly events: {
      /** What `stream` throws when the source ends before the bytes it was asked for. */
      endedEarly: () => Error;
      onRead?: (bytesRead: number) => void;
      onSpent?: (piece: Uint8Array) => void;
    },
  ) {}

  /** Up to `n` bytes (fewer only at the end of the source), copied. */
  async take(n: number): Promise<Buffer> {
    this.releaseSpent();
    while (this.buffered < n && (await this.fill()));
    const want = Math.min(n, this.buffered);
    const parts: Buffer[] = [];
    for (let left = want; left > 0;) {
      const part = this.fromHead(Math.min(left, this.pieces[0]!.length));
      parts.push(part);
      left -= part.length;
    }
    return Buffer.concat(parts, want);
  }

  /** Exactly `n` bytes, as the pieces arrive (no copy): each is valid until the next one is asked for. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      this.releaseSpent();
      if (this.buffered === 0 && !(await this.fill())) throw this.events.endedEarly();
      const piece = this.fromHead(Math.min(left, this.pieces[0]!.length));
      left -= piece.length;
      yield piece;
    }
    this.releaseSpent();
  }

  /** Everything left in the source, copied. */
  async rest(): Promise<Buffer> {
    while (await this.fill());
    return this.take(this.buffered);
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const piece = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.pieces.push(piece);
    this.buffered += piece.length;
    this.bytesRead += piece.length;
    this.unspent.push({ piece: next.value, end: this.bytesRead });
    this.events.onRead?.(this.bytesRead);
    return true;
  }

  /** The first `n` bytes of the head piece (n ≤ its length), removed from the queue. */
  private fromHead(n: number): Buffer {
    const head = this.pieces[0]!;
    const out = head.subarray(0, n);
    if (n === head.length) this.pieces.shift();
    else this.pieces[0] = head.subarray(n);
    this.buffered -= n;
    this.handedOut += n;
    return out;
  }

  /** Called when a next read is asked for: the views handed out before it are no longer used. */
  private releaseSpent(): void {
    while (this.unspent.length > 0 && this.unspent[0]!.end <= this.handedOut) {
      const { piece } = this.unspent.shift()!;
      this.events.onSpent?.(piece);
    }
  }
}
