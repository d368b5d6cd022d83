import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContentChunker, FixedChunker, STORE_CHUNK_SIZES, chunkSizes, type Chunker } from './chunker';
import { seededBytes } from '../../../test/seeded-bytes';

const KiB = 1024;

function split(chunker: Chunker, data: Buffer, piece: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += piece) out.push(...chunker.push(data.subarray(off, off + piece)));
  out.push(...chunker.finish());
  return out;
}

const hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('FastCDC chunker', () => {
  const sizes = chunkSizes(64 * KiB);

  it('cuts the same places however the stream is fed, and the chunks join back to the input', () => {
    const data = seededBytes('feed', 3 * 1024 * KiB + 12345);
    const whole = split(new ContentChunker(sizes), data, data.length);
    const small = split(new ContentChunker(sizes), data, 7777);
    expect(small.map(hex)).toEqual(whole.map(hex));
    expect(Buffer.concat(small).equals(data)).toBe(true);
    expect(whole.every((c, i) => c.length <= sizes.max && (c.length >= sizes.min || i === whole.length - 1))).toBe(
      true,
    );
  });

  it('after bytes are inserted near the start, all but the first chunks are the same ones', () => {
    const data = seededBytes('insert', 4 * 1024 * KiB);
    const changed = Buffer.concat([data.subarray(0, 4096), seededBytes('new', 100), data.subarray(4096)]);
    const before = new Set(split(new ContentChunker(sizes), data, 65536).map(hex));
    const after = split(new ContentChunker(sizes), changed, 65536);
    const fresh = after.filter((c) => !before.has(hex(c)));
    expect(fresh.length).toBeLessThanOrEqual(2);
    // Fixed blocks shift: every block after the insertion is new.
    const fixedBefore = new Set(split(new FixedChunker(64 * KiB), data, 65536).map(hex));
    const fixedAfter = split(new FixedChunker(64 * KiB), changed, 65536);
    expect(fixedAfter.filter((c) => !fixedBefore.has(hex(c))).length).toBe(fixedAfter.length);
  });
});

describe("the store format's cuts", () => {
  it('STORE_CHUNK_SIZES cuts a seeded stream where every earlier release did', () => {
    // Part of store format v2, like GEAR: a cut that moves makes every later snapshot store its
    // files again instead of reusing their chunks. Random bytes cut between the minimum and the
    // maximum; the zeros in the middle never match a mask and are cut at the maximum.
    const data = Buffer.concat([
      seededBytes('format cuts', 4 * 1024 * KiB),
      Buffer.alloc(512 * KiB),
      seededBytes('tail', 1024 * KiB),
    ]);
    const lengths = split(new ContentChunker(STORE_CHUNK_SIZES), data, 7777).map((chunk) => chunk.length);
    expect(lengths.slice(0, 12)).toEqual([
      54303, 35737, 41557, 41187, 39468, 46670, 37236, 26525, 33315, 32905, 16163, 37147,
    ]);
    expect(lengths.filter((n) => n === STORE_CHUNK_SIZES.max).length).toBeGreaterThanOrEqual(3);
    expect(createHash('sha256').update(lengths.join(',')).digest('hex')).toBe(
      '297bc4689e517bcadba2065d1d260804255a1756ed5ac07177174e9f720e2d7d',
    );
  });
});
