import { Writable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { relativeTarPath } from '../manifest-tap';

/**
 * A sink that parses a tar stream and keeps the content of the one entry at `wanted` (relative to
 * `rootName`) when it has at most `maxBytes`. `onFound` fires once that entry has been read, so a
 * caller reading a large archive can stop there instead of decompressing the rest.
 */
export class TarEntryReader extends Writable {
  /** The entry's bytes, or null when it was not found, is not a file or is larger than `maxBytes`. */
  content: Buffer | null = null;
  found = false;
  private readonly parser: Parser;
  private parseError: Error | null = null;

  constructor(private readonly options: { rootName: string; wanted: string; maxBytes: number; onFound?: () => void }) {
    super();
    this.parser = new Parser({ strict: true, onReadEntry: (entry) => this.take(entry) });
    this.parser.on('error', (error: Error) => (this.parseError ??= error));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.found) return callback();
    if (this.parser.write(chunk)) callback(this.parseError);
    else this.parser.once('drain', () => callback(this.parseError));
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.found) return callback();
    this.parser.once('end', () => callback(this.parseError));
    this.parser.end();
  }

  private take(entry: ReadEntry): void {
    const { rootName, wanted, maxBytes } = this.options;
    if (this.found || relativeTarPath(entry.path, rootName) !== wanted) {
      entry.resume();
      return;
    }
    const keep = entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile';
    const chunks: Buffer[] = [];
    if (keep && entry.size <= maxBytes) entry.on('data', (data: Buffer) => chunks.push(data));
    else entry.resume();
    entry.on('end', () => {
      this.found = true;
      this.content = keep && entry.size <= maxBytes ? Buffer.concat(chunks) : null;
      this.options.onFound?.();
    });
  }
}
