/**
 * Batch buffers a worker thread hands back once it is done with them (they were transferred to
 * it), filled again before a fresh one is allocated: no new memory, and no garbage, per batch.
 */
export class BatchPool {
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    private readonly size: number,
    /** Kept at most: what is in flight at the sender's high-water mark, and a few more. */
    private readonly max = Infinity,
  ) {}

  take(): Buffer<ArrayBuffer> {
    const data = this.spare.pop();
    return data ? Buffer.from(data) : Buffer.allocUnsafeSlow(this.size);
  }

  give(data: ArrayBuffer): void {
    if (data.byteLength === this.size && this.spare.length < this.max) this.spare.push(data);
  }
}
