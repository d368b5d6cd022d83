import { VolsnapError } from '../../../shared/errors';
import type { Chunker } from './chunker';
import type { ChunkReader } from './chunk-reader';
import { storeChunks, type FileChunks } from './chunked-file';
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
  parts: LayoutPart[];
  /** Bytes after the last file content: final headers, end-of-archive blocks. */
  tail: Buffer;
}

/** The kept bytes before a file's contents (or before the end), and that file's chunks. */
export interface LayoutPart {
  meta: Buffer;
  file?: FileChunks;
}

/** Chunk lists a re-capture may take instead of storing a file (reusable-files.ts). */
export interface FilesToReuse {
  /** The previous chunks of the file behind these header bytes, if its header is unchanged. */
  take(meta: Buffer, size: number): FileChunks | undefined;
}

/**
 * Splits a tar stream into its layout, storing file contents through the pack writer. A file the
 * previous snapshot had under the same header bytes (`reuse`) keeps its chunk list: its bytes are
 * read past, not stored (ReusableFiles.confirm checks them afterwards).
 */
export async function splitTar(
  source: AsyncIterable<Uint8Array>,
  writer: PackWriter,
  newChunker: () => Chunker,
  reuse?: FilesToReuse,
): Promise<TarLayout> {
  const parts: LayoutPart[] = [];
  const tail = await splitTarParts(source, { writer, newChunker, reuse, onPart: (part) => parts.push(part) });
  return { parts, tail };
}

/**
 * `splitTar` handing each part to `onPart` as soon as its file is stored, instead of keeping them:
 * capture encodes them on the way (LayoutEncoder), as the parts of a volume of many small files
 * add up to tens of MB. Returns the tail.
 */
export async function splitTarParts(
  source: AsyncIterable<Uint8Array>,
  options: { writer: PackWriter; newChunker: () => Chunker; reuse?: FilesToReuse; onPart: (part: LayoutPart) => void },
): Promise<Buffer> {
  const { writer, newChunker, reuse, onPart } = options;
  const input = new ByteQueue(source[Symbol.asyncIterator]());
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
      const before = concatUnpooled(meta);
      const reused = reuse?.take(before, size);
      if (reused) for await (const piece of input.stream(size)) void piece;
      const file = reused ?? (await storeChunks(input.stream(size), newChunker(), writer));
      onPart({ meta: before, file });
      meta = [await input.take(padding)];
    } else {
      const body = await input.take(size + padding);
      if (body.length < size + padding) throw truncated();
      meta.push(body);
      if (type === 'x') paxSize = paxRecordSize(body.subarray(0, size));
    }
  }
  meta.push(await input.rest());
  return Buffer.concat(meta);
}

/**
 * The volume's tar stream regenerated from its layout and the chunk store. The chunks of every file
 * are read as one sequence, so the small files stored next to each other come in shared reads.
 */
export async function* regenerateTar(layout: TarLayout, reader: ChunkReader): AsyncGenerator<Buffer> {
  const all = layout.parts.flatMap((part) => part.file?.chunks ?? []).map((hex) => Buffer.from(hex, 'hex'));
  const chunks = reader.readSequence(all);
  try {
    for (const part of layout.parts) {
      yield part.meta;
      for (let i = 0; i < (part.file?.chunks.length ?? 0); i++) {
        const next = await chunks.next();
        yield next.value as Buffer;
      }
    }
  } finally {
    await chunks.return(undefined);
  }
  yield layout.tail;
}

/**
 * The pieces copied into a buffer of its own. Not Buffer.concat's: it takes small buffers from
 * Node's shared 8 KiB pool, where the pack writer's small compressed records land too, and one
 * record still waiting to be written keeps its whole slab alive with the dropped headers beside
 * it (20 MB of them for 20,000 small files).
 */
function concatUnpooled(pieces: Buffer[]): Buffer {
  const out = Buffer.allocUnsafeSlow(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) at += piece.copy(out, at);
  return out;
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

/**
 * Exact-length reads over an async byte source. File contents stream as views of the pieces as
 * they arrive; only a header or record that straddles two pieces is copied into one buffer.
 */
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
    const want = Math.min(n, this.buffered);
    const head = this.pieces[0];
    if (head && head.length >= want) return this.fromHead(want);
    const parts: Buffer[] = [];
    for (let left = want; left > 0;) {
      const part = this.fromHead(Math.min(left, this.pieces[0]!.length));
      parts.push(part);
      left -= part.length;
    }
    return Buffer.concat(parts, want);
  }

  /** Exactly `n` bytes, as the pieces arrive (no copy). */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.fill())) throw truncated();
      const piece = this.fromHead(Math.min(left, this.pieces[0]!.length));
      left -= piece.length;
      yield piece;
    }
  }

  async rest(): Promise<Buffer> {
    while (await this.fill());
    return this.take(this.buffered);
  }

  /** The first `n` bytes of the head piece (n ≤ its length), removed from the queue. */
  private fromHead(n: number): Buffer {
    const head = this.pieces[0]!;
    const out = head.subarray(0, n);
    if (n === head.length) this.pieces.shift();
    else this.pieces[0] = head.subarray(n);
    this.buffered -= n;
    return out;
  }
}
