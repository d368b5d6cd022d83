/**
 * For a worker thread that makes a byte stream the main thread sends on: copies the stream's
 * pieces (tar headers, pads, frames of any size) into buffers of `bufferBytes` that are transferred,
 * not cloned, to the main thread, one message and one socket write per buffer. `acked` is the main
 * thread's word that bytes went out; past `highWater` bytes in flight `send` asks the producer to
 * wait (`onDrain`) until they fall below `lowWater`.
 */
export class TransferPacker {
  private buffer: Buffer;
  private used = 0;
  private inFlight = 0;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly post: (data: ArrayBuffer, length: number) => void,
    private readonly limits = { bufferBytes: 1024 * 1024, highWater: 8 * 1024 * 1024, lowWater: 2 * 1024 * 1024 },
  ) {
    this.buffer = Buffer.allocUnsafeSlow(limits.bufferBytes);
  }

  /** False when the producer should wait for `onDrain` before sending more. */
  send(chunk: Buffer): boolean {
    for (let offset = 0; offset < chunk.length;) {
      const n = chunk.copy(this.buffer, this.used, offset);
      this.used += n;
      offset += n;
      if (this.used === this.buffer.length) this.flush();
    }
    return this.inFlight < this.limits.highWater;
  }

  onDrain(resume: () => void): void {
    if (this.inFlight < this.limits.lowWater) resume();
    else this.waiting.push(resume);
  }

  /** Sends what `send` gathered so far (at the end, or before a wait). */
  flush(): void {
    if (this.used === 0) return;
    this.post(this.buffer.buffer as ArrayBuffer, this.used);
    this.inFlight += this.used;
    this.buffer = Buffer.allocUnsafeSlow(this.limits.bufferBytes);
    this.used = 0;
  }

  acked(bytes: number): void {
    this.inFlight -= bytes;
    if (this.inFlight >= this.limits.lowWater) return;
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((resume) => resume());
  }
}
