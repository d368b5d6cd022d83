import { compress, decompress } from 'zstd-napi';
import { VolsnapError } from '../../../shared/errors';
import type { LayoutPart, TarLayout } from './tar-layout';
import { sortedListAt } from '../../store/chunks/sorted-hashes';

/**
 * A volume's tar layout as stored (`archives/<snapshot>/<n>-<volume>.layout`), zstd frames that
 * decompress to: `VSL1 | u32 parts | (u32 metaLength, meta, u8 isFile, [u64 size, u32 chunks,
 * 32-byte hashes])* | u32 tailLength, tail`. Earlier releases wrote one frame; capture now writes
 * a frame per MiB (LayoutEncoder). zstd reads concatenated frames as one stream, so both decode
 * to the same bytes here and in earlier releases. Everything read back is checked against the
 * bytes that are there: a layout file is store contents, and store contents are checked like any
 * input.
 */
const MAGIC = Buffer.from('VSL1');
const HASH = 32;
/** A layout is ~1 KiB per entry before compression; 4 GiB would be millions of entries. */
const MAX_LAYOUT_BYTES = 4 * 1024 * 1024 * 1024 - 1;
const LEVEL = { compressionLevel: 3 };
/** Raw layout bytes per frame: little to hold; 0.5 % larger than one frame on the 20,000-file bench volume. */
const FRAME_BYTES = 1024 * 1024;

/** A whole layout, stored (tests and tools; capture encodes part by part with LayoutEncoder). */
export function encodeLayout(layout: TarLayout): Buffer {
  const encoder = new LayoutEncoder();
  for (const part of layout.parts) encoder.add(part);
  return encoder.finish(layout.tail).stored;
}

/**
 * Encodes a layout part by part, as `splitTarParts` hands them over: a volume of 20,000 small files
 * has ~20 MB of headers, which capture held until the end and then copied twice more to encode
 * (issue 18: peak RSS 260 → 225 MB). Here each part is copied into a 1 MiB buffer, compressed a
 * frame at a time, and dropped; only the compressed frames and the set of chunk hashes are kept.
 */
export class LayoutEncoder {
  private readonly frames: Buffer[] = [];
  private readonly raw = Buffer.allocUnsafeSlow(FRAME_BYTES);
  private used = 0;
  private parts = 0;
  /** Hex hashes, once each, in first-use order. */
  private readonly chunks = new Set<string>();

  add(part: LayoutPart): void {
    this.parts++;
    this.u32(part.meta.length);
    this.append(part.meta);
    if (!part.file) {
      this.raw[this.reserve(1)] = 0;
      return;
    }
    const at = this.reserve(1 + 8 + 4);
    this.raw[at] = 1;
    this.raw.writeBigUInt64BE(BigInt(part.file.size), at + 1);
    this.raw.writeUInt32BE(part.file.chunks.length, at + 9);
    for (const hex of part.file.chunks) {
      this.chunks.add(hex);
      const to = this.reserve(HASH);
      if (this.raw.write(hex, to, 'hex') !== HASH) throw new VolsnapError('Internal', `Not a chunk hash: ${hex}.`);
    }
  }

  /**
   * The stored layout, once the tail is in (a first frame with the magic and the part count, known
   * only now, then the parts' frames), and every chunk it uses once (raw hashes in byte order,
   * concatenated).
   */
  finish(tail: Buffer): { stored: Buffer; chunks: Buffer } {
    this.u32(tail.length);
    this.append(tail);
    this.seal();
    const head = Buffer.alloc(MAGIC.length + 4);
    MAGIC.copy(head);
    head.writeUInt32BE(this.parts, MAGIC.length);
    return { stored: Buffer.concat([compress(head, LEVEL), ...this.frames]), chunks: this.sortedChunks() };
  }

  /**
   * Sorted: lowercase hex sorts as the bytes do, and the snapshot's chunk list is kept sorted. Each
   * hash is written in place (`add` checked it is one): joining 38,000 of them into one string first
   * took 35-50 ms of a re-capture's tail, this 12-17.
   */
  private sortedChunks(): Buffer {
    const sorted = [...this.chunks].sort();
    const packed = Buffer.allocUnsafe(sorted.length * HASH);
    sorted.forEach((hex, i) => packed.write(hex, i * HASH, 'hex'));
    return packed;
  }

  private u32(n: number): void {
    this.raw.writeUInt32BE(n, this.reserve(4));
  }

  /** Room for `n` bytes (n ≤ FRAME_BYTES) in the current frame; returns where they go. */
  private reserve(n: number): number {
    if (this.used + n > FRAME_BYTES) this.seal();
    const at = this.used;
    this.used += n;
    return at;
  }

  /** Bytes of any length (a meta with long PAX records, the tail), across frames as needed. */
  private append(bytes: Buffer): void {
    for (let from = 0; from < bytes.length;) {
      if (this.used === FRAME_BYTES) this.seal();
      const n = bytes.copy(this.raw, this.used, from);
      this.used += n;
      from += n;
    }
  }

  private seal(): void {
    if (this.used === 0) return;
    this.frames.push(compress(this.raw.subarray(0, this.used), LEVEL));
    this.used = 0;
  }
}

export function decodeLayout(stored: Buffer): TarLayout {
  const parts: TarLayout['parts'] = [];
  const tail = readParts(decompressLayout(stored), (meta, file) => {
    if (!file) return void parts.push({ meta });
    // One conversion for the file's hashes, cut into strings (slices of it, no copies).
    const hex = file.hashes.toString('hex');
    const chunks = Array.from({ length: file.hashes.length / HASH }, (_, c) =>
      hex.slice(c * 2 * HASH, (c + 1) * 2 * HASH),
    );
    parts.push({ meta, file: { size: file.size, chunks } });
  });
  return { parts, tail };
}

/**
 * The chunks a layout uses (`raw`, from `decompressLayout`), as a sorted list (an unchanged
 * volume's references), without decoding its parts.
 */
export function layoutChunkList(raw: Buffer): Buffer {
  const at: number[] = [];
  readParts(raw, (_meta, file) => {
    if (!file) return;
    const from = file.hashes.byteOffset - raw.byteOffset;
    for (let i = 0; i < file.hashes.length; i += HASH) at.push(from + i);
  });
  return sortedListAt(raw, at);
}

/** A stored layout's bytes, decompressed (checked as they are read: `decodeLayout`, `layoutChunkList`). */
export function decompressLayout(stored: Buffer): Buffer {
  let raw: Buffer;
  try {
    raw = decompress(stored);
  } catch (error) {
    throw damaged(`it is not a zstd frame (${(error as Error).message})`);
  }
  if (raw.length > MAX_LAYOUT_BYTES) throw damaged('it is too large');
  return raw;
}

/** Walks a layout's parts (a file's hashes back to back, views of `raw`); returns its tail. */
function readParts(raw: Buffer, visit: (meta: Buffer, file?: { size: number; hashes: Buffer }) => void): Buffer {
  const read = new Cursor(raw);
  if (!read.bytes(MAGIC.length).equals(MAGIC)) throw damaged('its header is wrong');
  const count = read.u32();
  for (let i = 0; i < count; i++) {
    const meta = read.bytes(read.u32());
    const kind = read.u8();
    if (kind === 0) {
      visit(meta);
      continue;
    }
    if (kind !== 1) throw damaged(`part ${i} has an unknown kind`);
    const size = read.u64();
    visit(meta, { size, hashes: read.bytes(read.u32() * HASH) });
  }
  const tail = read.bytes(read.u32());
  if (!read.atEnd()) throw damaged('it has bytes after its end');
  return tail;
}

function damaged(why: string): VolsnapError {
  return new VolsnapError(
    'Integrity',
    `A stored volume layout cannot be read: ${why}. Run \`volsnap verify\` to see which snapshots are affected.`,
  );
}

/**
 * Bounds-checked reads: a forged length fails here instead of reading past the buffer. Numbers are
 * read in place, not through a view each (a layout is read once, cold, at a re-capture's start:
 * 20,000 files' parts took 0.13 s that way).
 */
class Cursor {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  bytes(n: number): Buffer {
    const from = this.advance(n);
    return this.buf.subarray(from, from + n);
  }

  u8(): number {
    return this.buf[this.advance(1)]!;
  }

  u32(): number {
    return this.buf.readUInt32BE(this.advance(4));
  }

  u64(): number {
    const from = this.advance(8);
    const high = this.buf.readUInt32BE(from);
    // Above 2^53 - 1 a size would lose digits as a number.
    if (high > 0x1fffff) throw damaged('a file size is out of range');
    return high * 2 ** 32 + this.buf.readUInt32BE(from + 4);
  }

  /** Where the next `n` bytes start, once they are known to be there. */
  private advance(n: number): number {
    if (n < 0 || this.at + n > this.buf.length) throw damaged('it ends early');
    const from = this.at;
    this.at += n;
    return from;
  }

  atEnd(): boolean {
    return this.at === this.buf.length;
  }
}
