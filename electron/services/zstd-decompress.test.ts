import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { compress } from 'zstd-napi';
import { ZstdDecompress } from './zstd-decompress';

/** `data` in pieces of `size` bytes, as a file or a socket would hand them over. */
const inPieces = (data: Buffer, size: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)),
  );

describe('ZstdDecompress', () => {
  // Many frames of every size, as an exported format 2 volume is: tiny header frames, small files, chunks.
  const parts = Array.from({ length: 3000 }, (_, i) =>
    i % 10 === 0 ? randomBytes(20_000 + (i % 7) * 13_000) : Buffer.alloc(200 + (i % 50) * 37, `part ${i} |`),
  );
  const stream = Buffer.concat(parts.map((part) => compress(part, { compressionLevel: 1 })));
  const whole = Buffer.concat(parts);

  it('gives the bytes of every frame in order, however the input is cut', async () => {
    for (const size of [4096, 1024 * 1024, stream.length]) {
      const out = await buffer(inPieces(stream, size).pipe(new ZstdDecompress()));
      expect(out.equals(whole)).toBe(true);
    }
    // A few bytes at a time, over a few frames: what is held back still comes out at the end.
    const few = Buffer.concat(parts.slice(0, 12).map((part) => compress(part, { compressionLevel: 1 })));
    const out = await buffer(inPieces(few, 7).pipe(new ZstdDecompress()));
    expect(out.equals(Buffer.concat(parts.slice(0, 12)))).toBe(true);
  });

  it('hands on what a chunk gives before more input comes', async () => {
    // A reader that refuses a forged archive from its first bytes must not wait for the rest.
    const decompress = new ZstdDecompress();
    const first = new Promise<Buffer>((resolve) => decompress.once('data', resolve));
    decompress.write(compress(Buffer.from('a small first header'), { compressionLevel: 1 }));
    expect((await first).toString()).toBe('a small first header');
    decompress.destroy();
  });

  it('fails a stream cut inside a frame, and one that is not zstd', async () => {
    await expect(
      buffer(inPieces(stream.subarray(0, stream.length - 5), 65536).pipe(new ZstdDecompress())),
    ).rejects.toThrow(/ended in middle of compressed data frame/);
    await expect(buffer(inPieces(Buffer.from('not zstd at all'), 4).pipe(new ZstdDecompress()))).rejects.toThrow(
      /Unknown frame descriptor|Error/,
    );
  });
});
