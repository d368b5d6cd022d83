import { compress, decompress } from 'zstd-napi';
import { VolsnapError } from '../../../shared/errors';
import type { TarLayout } from './tar-layout';

/**
 * A volume's tar layout as stored (`archives/<snapshot>/<n>-<volume>.layout`), one zstd frame of:
 * `VSL1 | u32 parts | (u32 metaLength, meta, u8 isFile, [u64 size, u32 chunks, 32-byte hashes])* |
 * u32 tailLength, tail`. Everything read back is checked against the bytes that are there: a layout
 * file is store contents, and store contents are checked like any input.
 */
const MAGIC = Buffer.from('VSL1');
const HASH = 32;
/** A layout is ~1 KiB per entry before compression; 4 GiB would be millions of entries. */
const MAX_LAYOUT_BYTES = 4 * 1024 * 1024 * 1024 - 1;

export function encodeLayout(layout: TarLayout): Buffer {
  const pieces: Buffer[] = [MAGIC, u32(layout.parts.length)];
  for (const part of layout.parts) {
    pieces.push(u32(part.meta.length), part.meta);
    if (!part.file) {
      pieces.push(Buffer.from([0]));
      continue;
    }
    const head = Buffer.alloc(1 + 8 + 4);
    head[0] = 1;
    head.writeBigUInt64BE(BigInt(part.file.size), 1);
    head.writeUInt32BE(part.file.chunks.length, 9);
    pieces.push(head, ...part.file.chunks.map((hex) => Buffer.from(hex, 'hex')));
  }
  pieces.push(u32(layout.tail.length), layout.tail);
  return compress(Buffer.concat(pieces), { compressionLevel: 3 });
}

export function decodeLayout(stored: Buffer): TarLayout {
  let raw: Buffer;
  try {
    raw = decompress(stored);
  } catch (error) {
    throw damaged(`it is not a zstd frame (${(error as Error).message})`);
  }
  if (raw.length > MAX_LAYOUT_BYTES) throw damaged('it is too large');
  const read = new Cursor(raw);
  if (!read.bytes(MAGIC.length).equals(MAGIC)) throw damaged('its header is wrong');
  const count = read.u32();
  const parts: TarLayout['parts'] = [];
  for (let i = 0; i < count; i++) {
    const meta = read.bytes(read.u32());
    const kind = read.bytes(1)[0];
    if (kind === 0) {
      parts.push({ meta });
      continue;
    }
    if (kind !== 1) throw damaged(`part ${i} has an unknown kind`);
    const size = read.u64();
    const chunkCount = read.u32();
    const hashes = read.bytes(chunkCount * HASH);
    const chunks = Array.from({ length: chunkCount }, (_, c) =>
      hashes.subarray(c * HASH, (c + 1) * HASH).toString('hex'),
    );
    parts.push({ meta, file: { size, chunks } });
  }
  const tail = read.bytes(read.u32());
  if (!read.atEnd()) throw damaged('it has bytes after its end');
  return { parts, tail };
}

/** Every chunk a layout uses, once each (raw hashes, for the snapshot's chunk references). */
export function layoutChunks(layout: TarLayout): Buffer[] {
  const seen = new Set<string>();
  for (const part of layout.parts) for (const hex of part.file?.chunks ?? []) seen.add(hex);
  return [...seen].map((hex) => Buffer.from(hex, 'hex'));
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n);
  return b;
}

function damaged(why: string): VolsnapError {
  return new VolsnapError(
    'Integrity',
    `A stored volume layout cannot be read: ${why}. Run \`volsnap verify\` to see which snapshots are affected.`,
  );
}

/** Bounds-checked reads: a forged length fails here instead of reading past the buffer. */
class Cursor {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  bytes(n: number): Buffer {
    if (n < 0 || this.at + n > this.buf.length) throw damaged('it ends early');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  u32(): number {
    return this.bytes(4).readUInt32BE(0);
  }

  u64(): number {
    const value = this.bytes(8).readBigUInt64BE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw damaged('a file size is out of range');
    return Number(value);
  }

  atEnd(): boolean {
    return this.at === this.buf.length;
  }
}
