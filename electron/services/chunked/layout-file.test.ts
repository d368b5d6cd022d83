import { createHash } from 'node:crypto';
import { compress } from 'zstd-napi';
import { describe, expect, it } from 'vitest';
import { decodeLayout, encodeLayout, LayoutEncoder } from './layout-file';
import type { TarLayout } from './tar-layout';

const hash = (n: number): string => createHash('sha256').update(`chunk ${n}`).digest('hex');

/** 3,000 files' headers (~3 MB raw, several frames), a few chunks shared between files. */
function manyFiles(): TarLayout {
  const parts: TarLayout['parts'] = [];
  for (let i = 0; i < 3000; i++) {
    const meta = Buffer.alloc(1024 + (i % 7) * 100, `header of file ${i} `);
    parts.push(i % 10 === 0 ? { meta } : { meta, file: { size: 5000 + i, chunks: [hash(i), hash(i % 50)] } });
  }
  return { parts, tail: Buffer.alloc(1536, 'end') };
}

/** A layout as one string: vitest compares 3,000 Buffers byte by byte far too slowly. */
const text = (layout: TarLayout): string =>
  JSON.stringify({ ...layout, parts: layout.parts.map((p) => ({ ...p, meta: p.meta.toString('base64') })) });

/** The one zstd frame the last release's encodeLayout wrote, byte for byte. */
function lastReleaseEncoding(layout: TarLayout): Buffer {
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const pieces: Buffer[] = [Buffer.from('VSL1'), u32(layout.parts.length)];
  for (const part of layout.parts) {
    pieces.push(u32(part.meta.length), part.meta);
    if (!part.file) {
      pieces.push(Buffer.from([0]));
      continue;
    }
    const head = Buffer.alloc(13);
    head[0] = 1;
    head.writeBigUInt64BE(BigInt(part.file.size), 1);
    head.writeUInt32BE(part.file.chunks.length, 9);
    pieces.push(head, ...part.file.chunks.map((hex) => Buffer.from(hex, 'hex')));
  }
  pieces.push(u32(layout.tail.length), layout.tail);
  return compress(Buffer.concat(pieces), { compressionLevel: 3 });
}

describe('layout file', () => {
  it('a layout encoded part by part reads back whole, as does one stored by the last release', () => {
    const layout = manyFiles();
    const encoder = new LayoutEncoder();
    for (const part of layout.parts) encoder.add(part);
    const { stored, chunks } = encoder.finish(layout.tail);

    expect(text(decodeLayout(stored))).toBe(text(layout));
    expect(text(decodeLayout(lastReleaseEncoding(layout)))).toBe(text(layout));
    expect(encodeLayout(layout).equals(stored)).toBe(true);
    // Frames of 1 MiB compress as well as one frame of it all (within 2 %).
    expect(stored.length).toBeLessThan(lastReleaseEncoding(layout).length * 1.02);
    // Every chunk used, once each, in byte order (the snapshot's chunk list is kept sorted).
    const used = [...new Set(layout.parts.flatMap((p) => p.file?.chunks ?? []))].sort();
    expect(chunks.toString('hex')).toBe(used.join(''));
  });

  it('a layout file cut short is refused as damaged', () => {
    const stored = encodeLayout(manyFiles());
    for (const end of [stored.length - 1, Math.floor(stored.length / 2), 40]) {
      expect(() => decodeLayout(stored.subarray(0, end))).toThrow(/stored volume layout cannot be read/);
    }
  });
});
