import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { compress } from 'zstd-napi';
import { manifestOf, rawTar, type RawEntry } from './bundle-forge.test-util';
import { checkStreamEntries } from './entries-check';
import type { ManifestEntry } from '../../../shared/types';

const V = 'data';

/**
 * About 9 MiB of tar: thousands of small files, a few large ones, then small files again, so the
 * decompressed pieces fall at every position of the check's reused output buffers.
 */
function volumeEntries(): RawEntry[] {
  const small = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      path: `${V}/f${from + i}`,
      body: randomBytes(1 + ((i * 7919) % 3000)),
    }));
  const big = Array.from({ length: 3 }, (_, i) => ({ path: `${V}/big${i}`, body: randomBytes(1_500_000 + i * 1000) }));
  return [{ path: `${V}/`, type: 'Directory' }, ...small(0, 2000), ...big, ...small(2000, 1000)];
}

/**
 * zstd frames of odd sizes back to back (one valid stream): the decompressed pieces end anywhere,
 * in the middle of headers too, as a hostile or another tool's stream may make them.
 */
function oddFrames(tar: Buffer): Buffer {
  const frames: Buffer[] = [];
  for (let at = 0, size = 1000; at < tar.length; at += size, size = (size * 37) % 300_007) {
    frames.push(compress(tar.subarray(at, at + size)));
  }
  return Buffer.concat(frames);
}

function check(stream: Buffer, manifest: ManifestEntry[]): Promise<void> {
  // Uneven chunks, as a file or a socket delivers them.
  const chunks = Array.from({ length: Math.ceil(stream.length / 100_003) }, (_, i) =>
    stream.subarray(i * 100_003, (i + 1) * 100_003),
  );
  return checkStreamEntries({
    source: Readable.from(chunks),
    volumeName: V,
    manifest,
    specialFiles: 'refused',
    maxTarBytes: 64 * 1024 * 1024,
  });
}

describe('checkStreamEntries', () => {
  it('passes a sound multi-megabyte volume: every file hashes to its manifest entry', async () => {
    const tar = rawTar(volumeEntries());
    const manifest = await manifestOf(tar, V);
    await expect(check(compress(tar), manifest)).resolves.toBeUndefined();
    await expect(check(oddFrames(tar), manifest)).resolves.toBeUndefined();
  });

  it('refuses a volume whose file deep in the stream differs by one byte from its manifest', async () => {
    const entries = volumeEntries();
    const manifest = await manifestOf(rawTar(entries), V);
    const last = entries[entries.length - 1]!;
    const altered = Buffer.from(last.body!);
    altered[0] = altered[0]! ^ 1;
    entries[entries.length - 1] = { ...last, body: altered };
    await expect(check(oddFrames(rawTar(entries)), manifest)).rejects.toThrow(
      /f2999 does not match its sha256 in the manifest/,
    );
  });
});
