import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** A pass-through that hashes (SHA-256) and counts what flows through it; read the figures after the end. */
export class HashTap extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** The hex digest; once only, after the stream ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
