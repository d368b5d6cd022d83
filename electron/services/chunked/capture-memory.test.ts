import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Header } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { writeChunked } from './chunked-capture';

const FILES = 10_000;
const MiB = 1024 * 1024;

/** The Engine's tar of a volume of FILES small text files (3 KiB each, all different). */
function smallFilesTar(): Buffer[] {
  const blocks: Buffer[] = [header('data/', 0, 'Directory')];
  for (let i = 0; i < FILES; i++) {
    const body = Buffer.from(`line of file ${i}, like source code or a config\n`.repeat(64));
    blocks.push(header(`data/d${i % 20}/file${i}.txt`, body.length, 'File'), body);
    blocks.push(Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  // In 1 MiB pieces, as the archive worker receives them.
  return Array.from({ length: Math.ceil(tar.length / MiB) }, (_, i) => tar.subarray(i * MiB, (i + 1) * MiB));
}

function header(name: string, size: number, type: 'File' | 'Directory'): Buffer {
  const h = new Header({ path: name, size, type, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) });
  h.encode();
  return h.block!;
}

describe('format 2 capture memory', () => {
  let dataDir: string | undefined;
  afterEach(() => dataDir && rmSync(dataDir, { recursive: true, force: true }));

  // Issue 18: the layout of every header was held to the end of the capture, then copied twice to
  // encode it (peak RSS 260 MB on the 20,000-file bench volume, target < 250 MB).
  it('a capture of 10,000 small files does not keep the headers of all of them to the end', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'volsnap-capture-memory-'));
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const source = Readable.from(smallFilesTar());
    // What is still reachable (after full collections) as each MiB of the tar goes through; the
    // growth from the least of it is what the capture keeps per file.
    let least = Infinity;
    let growth = 0;
    const sample = () => {
      gc();
      gc();
      const now = retained();
      least = Math.min(least, now);
      growth = Math.max(growth, now - least);
    };
    const done = await writeChunked({
      source,
      rootName: 'data',
      tempPath: path.join(dataDir, 'layout'),
      dataDir,
      onProgress: sample,
    });
    expect(done.manifest.fileCount).toBe(FILES);
    // ~9 MB: mostly the manifest's entries (12 MB while the pack writer kept 4 MiB of small
    // records as buffers of their own before writing). Holding the layout to the end, as before
    // issue 18, kept ~20 MB.
    expect(growth / MiB).toBeLessThan(15);
  });
});

/** Bytes of JS heap and buffers still in use. */
function retained(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
