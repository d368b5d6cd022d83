/**
 * For a worker thread that makes a byte stream the main thread sends on: copies the stream's
 * pieces (tar headers, pads, frames of any size) into buffers of `bufferBytes` that are transferred,
 * not cloned, to the main thread, one message and one socket write per buffer. `acked` is the main
 * thread's word that bytes went out; past `highWater` bytes in flight `send` asks the producer to
 * wait (`onDrain`) until they fall below `lowWater`. A consumer done with a buffer may hand it back
 * with its ack, and it is filled again instead of a new one: fresh memory is slow to fault in here
 * (copying an export's 680 MB into new 4 MiB buffers took 0.2–0.4 s, into reused ones almost none).
 */
export class TransferPacker {
  private buffer: Buffer;
  private used = 0;
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  private readonly spare: ArrayBuffer[] = [];

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
    const again = this.spare.pop();
    this.buffer = again ? Buffer.from(again) : Buffer.allocUnsafeSlow(this.limits.bufferBytes);
    this.used = 0;
  }

  /** `bytes` went out; `handedBack`: the buffer that held them, no longer used by anyone. */
  acked(bytes: number, handedBack?: ArrayBuffer): void {
    if (handedBack?.byteLength === this.limits.bufferBytes) this.spare.push(handedBack);
    this.inFlight -= bytes;
    if (this.inFlight >= this.limits.lowWater) return;
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((resume) => resume());
  }
}
