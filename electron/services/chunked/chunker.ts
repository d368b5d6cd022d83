import { createHash } from 'node:crypto';

/**
 * Content-defined chunking (FastCDC, Xia et al. 2016/2020: gear rolling hash, normalized chunking
 * with a stricter mask before the average size and a looser one after it). A cut depends only on
 * the 32 bytes before it, so an insertion moves the cuts after it along with the data instead of
 * shifting every block boundary, which fixed-size blocks do. See docs/decisions.md (issue 18).
 */
export interface ChunkSizes {
  /** No cut before this many bytes. */
  min: number;
  /** A power of two: the strict mask applies before it, the loose one after it. */
  avg: number;
  /** A chunk always ends here. */
  max: number;
  maskStrict: number;
  maskLoose: number;
}

/** Sizes around a power-of-two average: min avg/4, max avg×4, normalization level 2. */
export function chunkSizes(avg: number): ChunkSizes {
  const bits = Math.log2(avg);
  if (!Number.isInteger(bits) || bits < 12 || bits > 28) throw new Error(`chunk average ${avg} is not a power of two`);
  // The top bits of a 32-bit gear hash depend on the last 32 bytes, so the masks take the top bits.
  const top = (n: number): number => (0xffffffff << (32 - n)) >>> 0;
  return { min: avg / 4, avg, max: avg * 4, maskStrict: top(bits + 2), maskLoose: top(bits - 2) };
}

/**
 * The sizes store format v2 uses: a 32 KiB average (8 KiB min, 128 KiB max). 1 MiB chunks stored
 * 74–80 % of a database again after 1 % of its 8 KiB pages changed; 32 KiB stored 7 %
 * (docs/decisions.md, scripts/measure-chunking.mjs). Part of the store format, like GEAR.
 */
export const STORE_CHUNK_SIZES: ChunkSizes = chunkSizes(32 * 1024);

/**
 * The gear table is part of the store format: the same bytes must cut the same way in every
 * version, or deduplication against older snapshots stops. Derived from SHA-256 of a fixed label.
 */
export const GEAR: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i += 8) {
    const digest = createHash('sha256')
      .update(`volsnap-gear-v1:${i / 8}`)
      .digest();
    for (let j = 0; j < 8; j++) table[i + j] = digest.readUInt32BE(j * 4);
  }
  return table;
})();

/**
 * Where the chunk starting at `start` ends within `buf[start, end)`. Returns `end` when the data
 * ends before a cut point was found and the chunk is still shorter than the maximum: at the end of
 * a file that is the last chunk; in a stream the caller must first read more.
 */
export function cutPoint(buf: Uint8Array, start: number, end: number, sizes: ChunkSizes): number {
  const length = end - start;
  if (length <= sizes.min) return end;
  const limit = Math.min(length, sizes.max);
  const normal = Math.min(limit, sizes.avg);
  const strict = scanForCut(buf, start + sizes.min, start + normal, 0, sizes.maskStrict | 0);
  if (strict.cut >= 0) return strict.cut;
  const loose = scanForCut(buf, start + normal, start + limit, strict.hash, sizes.maskLoose | 0);
  return loose.cut >= 0 ? loose.cut : start + limit;
}

/** GEAR as signed 32-bit values: the hash below stays a small integer for V8, with no conversion. */
const GEAR_INT = new Int32Array(GEAR.buffer);
const scanned = { cut: -1, hash: 0 };

/**
 * Rolls the gear hash over `buf[from, to)`; `cut` is where the first byte whose hash has no bit
 * of `mask` set ends, or -1 with the `hash` to go on from. Four bytes a turn over a signed table:
 * 115–156 ms for 256 MiB against 286–321 ms one byte a turn (the cut search was a seventh of the
 * archive worker's CPU in a first capture), with the same cuts (the format test pins them).
 * Returns one shared object: no garbage per chunk.
 */
function scanForCut(buf: Uint8Array, from: number, to: number, initial: number, mask: number): typeof scanned {
  let hash = initial;
  let i = from;
  for (const stop = to - 3; i < stop; i += 4) {
    hash = ((hash << 1) + GEAR_INT[buf[i]!]!) | 0;
    if ((hash & mask) === 0) return found(i + 1, hash);
    hash = ((hash << 1) + GEAR_INT[buf[i + 1]!]!) | 0;
    if ((hash & mask) === 0) return found(i + 2, hash);
    hash = ((hash << 1) + GEAR_INT[buf[i + 2]!]!) | 0;
    if ((hash & mask) === 0) return found(i + 3, hash);
    hash = ((hash << 1) + GEAR_INT[buf[i + 3]!]!) | 0;
    if ((hash & mask) === 0) return found(i + 4, hash);
  }
  for (; i < to; i++) {
    hash = ((hash << 1) + GEAR_INT[buf[i]!]!) | 0;
    if ((hash & mask) === 0) return found(i + 1, hash);
  }
  return found(-1, hash);
}

function found(cut: number, hash: number): typeof scanned {
  scanned.cut = cut;
  scanned.hash = hash;
  return scanned;
}

/** Splits a byte stream into chunks; `push` and `finish` yield each chunk as a copy of its bytes. */
export interface Chunker {
  push(data: Uint8Array): Generator<Buffer>;
  finish(): Generator<Buffer>;
  /** Content of at most this many bytes is one chunk (none when empty), whatever the bytes are. */
  readonly oneChunkUpTo: number;
}

/**
 * A streaming FastCDC chunker: holds at most one maximum chunk plus the latest input. With `views`,
 * each chunk is a view of its buffer, valid only until the generator resumes: for a consumer that
 * is done with a chunk before asking for the next (capture's pack writer), it saves a copy of every
 * byte and the garbage that comes with it.
 */
export class ContentChunker implements Chunker {
  private readonly buf: Buffer;
  private start = 0;
  private end = 0;

  constructor(
    private readonly sizes: ChunkSizes,
    private readonly options: { views?: boolean } = {},
  ) {
    this.buf = Buffer.allocUnsafe(sizes.max * 2);
  }

  /** `cutPoint` never cuts at or before the minimum. */
  get oneChunkUpTo(): number {
    return this.sizes.min;
  }

  *push(data: Uint8Array): Generator<Buffer> {
    let offset = 0;
    while (offset < data.length) {
      this.makeRoom();
      const n = Math.min(data.length - offset, this.buf.length - this.end);
      this.buf.set(data.subarray(offset, offset + n), this.end);
      this.end += n;
      offset += n;
      // Cut only while a full maximum chunk is buffered: a cut found in less could move once more
      // data arrives (the loose mask applies only past the average size).
      while (this.end - this.start >= this.sizes.max) yield this.take(this.cut());
    }
  }

  *finish(): Generator<Buffer> {
    while (this.end > this.start) yield this.take(this.cut());
    this.start = this.end = 0;
  }

  private cut(): number {
    return cutPoint(this.buf, this.start, this.end, this.sizes);
  }

  private take(cut: number): Buffer {
    const view = this.buf.subarray(this.start, cut);
    const chunk = this.options.views ? view : Buffer.from(view);
    this.start = cut;
    return chunk;
  }

  private makeRoom(): void {
    if (this.end < this.buf.length) return;
    this.buf.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
  }
}

/** Fixed-size blocks, for comparison (docs/decisions.md) and for callers that want them. */
export class FixedChunker implements Chunker {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly size: number) {}

  get oneChunkUpTo(): number {
    return this.size;
  }

  *push(data: Uint8Array): Generator<Buffer> {
    this.pending.push(Buffer.from(data));
    this.pendingBytes += data.length;
    if (this.pendingBytes < this.size) return;
    const all = Buffer.concat(this.pending);
    let offset = 0;
    for (; all.length - offset >= this.size; offset += this.size) yield all.subarray(offset, offset + this.size);
    this.pending = offset < all.length ? [all.subarray(offset)] : [];
    this.pendingBytes = all.length - offset;
  }

  *finish(): Generator<Buffer> {
    if (this.pendingBytes > 0) yield Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
  }
}
