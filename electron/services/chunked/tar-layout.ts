import { VolsnapError } from '../../../shared/errors';
import type { Chunker } from './chunker';
import type { ChunkReader } from './chunk-reader';
import { fileBytes, storeChunks, type FileChunks } from './chunked-file';
import type { PackWriter } from './pack-writer';

const BLOCK = 512;
/** Type flags whose content is a regular file's bytes (chunked); any other content is metadata. */
const FILE_TYPES = new Set(['0', '\0', '7']);

/**
 * A volume's tar as store format v2 keeps it: the bytes between file contents (headers, PAX and GNU
 * long-name records, padding: everything the Engine wrote, xattrs included) kept verbatim, and each
 * regular file's content as chunks. Regenerating it gives back the Engine's tar byte for byte, so
 * restore, export and push see exactly what they see today.
 */
export interface TarLayout {
  parts: { meta: Buffer; file?: FileChunks }[];
  /** Bytes after the last file content: final headers, end-of-archive blocks. */
  tail: Buffer;
}

/** Splits a tar stream into its layout, storing file contents through the pack writer. */
export async function splitTar(
  source: AsyncIterable<Uint8Array>,
  writer: PackWriter,
  newChunker: () => Chunker,
): Promise<TarLayout> {
  const input = new ByteQueue(source[Symbol.asyncIterator]());
  const parts: TarLayout['parts'] = [];
  let meta: Buffer[] = [];
  let paxSize: number | undefined;
  for (;;) {
    const header = await input.take(BLOCK);
    meta.push(header);
    if (header.length < BLOCK || header.every((b) => b === 0)) break;
    const type = String.fromCharCode(header[156]!);
    const size = paxSize ?? headerSize(header);
    paxSize = undefined;
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (FILE_TYPES.has(type)) {
      const file = await storeChunks(input.stream(size), newChunker(), writer);
      parts.push({ meta: Buffer.concat(meta), file });
      meta = [await input.take(padding)];
    } else {
      const body = await input.take(size + padding);
      if (body.length < size + padding) throw truncated();
      meta.push(body);
      if (type === 'x') paxSize = paxRecordSize(body.subarray(0, size));
    }
  }
  meta.push(await input.rest());
  return { parts, tail: Buffer.concat(meta) };
}

/** The volume's tar stream regenerated from its layout and the chunk store. */
export async function* regenerateTar(layout: TarLayout, reader: ChunkReader): AsyncGenerator<Buffer> {
  for (const part of layout.parts) {
    yield part.meta;
    if (part.file) yield* fileBytes(reader, part.file.chunks);
  }
  yield layout.tail;
}

function headerSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  // Sizes from 8 GiB up are base-256 (GNU) when no PAX record gives them.
  if (field[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field
    .toString('ascii')
    .replace(/[\0 ]+$/, '')
    .trim();
  const value = text === '' ? 0 : parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw truncated();
  return value;
}

/** The `size` record of a PAX header, which overrides the ustar field for the next entry. */
function paxRecordSize(body: Buffer): number | undefined {
  const match = /(?:^|\n)\d+ size=(\d+)\n/.exec(body.toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

function truncated(): VolsnapError {
  return new VolsnapError('Integrity', 'The volume archive ended in the middle of an entry; capture the volume again.');
}

/** Exact-length reads over an async byte source. */
class ByteQueue {
  private pieces: Buffer[] = [];
  private buffered = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

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
    return true;
  }

  /** Up to `n` bytes (fewer only at the end of the source). */
  async take(n: number): Promise<Buffer> {
    while (this.buffered < n && (await this.fill()));
    const all = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
    const out = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(out.length);
    this.pieces = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  /** Exactly `n` bytes, as the pieces arrive (no copy of a whole file). */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.fill())) throw truncated();
      const piece = await this.take(Math.min(left, this.buffered));
      left -= piece.length;
      yield piece;
    }
  }

  async rest(): Promise<Buffer> {
    while (await this.fill());
    return this.take(this.buffered);
  }
}
