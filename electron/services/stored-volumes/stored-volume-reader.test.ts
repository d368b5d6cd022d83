import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Header } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compress, decompress } from 'zstd-napi';
import { readerForDataDir, storedVolumeReader, type StoredVolumeReader } from './stored-volume-reader';
import { ArchiveFiles } from '../../store/archive-files';
import type { StoredVolume, StoreFormat } from '../../store/catalog';

const SNAPSHOT = '0123456789abcdef';

/** A tar as the Engine gives it for volume `data`: the volume folder, then its files. */
function volumeTar(files: Record<string, Buffer>): Buffer {
  const blocks: Buffer[] = [header('data/', 0, 'Directory')];
  for (const [name, body] of Object.entries(files)) {
    blocks.push(header(`data/${name}`, body.length, 'File'), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function header(name: string, size: number, type: 'File' | 'Directory'): Buffer {
  const h = new Header({ path: name, size, type, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) });
  h.encode();
  return h.block!;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('StoredVolumeReader, format 1', () => {
  let dataDir: string;
  let files: ArchiveFiles;
  let reader: StoredVolumeReader;
  let volume: StoredVolume;
  const hello = Buffer.from('hello from the snapshot\n');
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'x');

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'volsnap-reader-'));
    files = new ArchiveFiles(dataDir);
    reader = storedVolumeReader({ files });
    await files.makeDir(SNAPSHOT);
    const archive = compress(volumeTar({ 'hello.txt': hello, 'big.bin': big }));
    writeFileSync(files.pathOf(SNAPSHOT, 'data.tar.zst'), archive);
    volume = stored({ sha256: sha(archive), storedBytes: archive.length });
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  function stored(over: Partial<StoredVolume> = {}): StoredVolume {
    return {
      position: 0,
      volumeName: 'data',
      owner: 'app',
      mountDestination: '/data',
      sizeBytes: hello.length + big.length,
      storedBytes: 0,
      fileCount: 2,
      sha256: '',
      archiveFile: 'data.tar.zst',
      format: 1,
      ...over,
    };
  }

  const archivePath = () => files.pathOf(SNAPSHOT, 'data.tar.zst');

  it('gives the tar byte for byte as decompressing the stored archive does', async () => {
    const tar = await buffer(reader.tar(SNAPSHOT, volume));
    expect(tar.equals(decompress(readFileSync(archivePath())))).toBe(true);
  });

  it('fails the tar stream when the archive is missing, instead of giving an empty volume', async () => {
    rmSync(archivePath());
    await expect(buffer(reader.tar(SNAPSHOT, volume))).rejects.toThrow(/ENOENT/);
  });

  it('stops the tar when its signal aborts', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(buffer(reader.tar(SNAPSHOT, volume, abort.signal))).rejects.toThrow(/abort/i);
  });

  it('hands export and push the stored archive itself, with its size and sha256', async () => {
    const tar = await reader.compressed(SNAPSHOT, volume);
    expect((await buffer(tar.open())).equals(readFileSync(archivePath()))).toBe(true);
    expect(tar.sizeBytes).toBe(statSync(archivePath()).size);
    expect(tar.sha256).toBe(sha(readFileSync(archivePath())));
  });

  it('checks the stored archive: sound, one flipped byte, missing', async () => {
    expect(await reader.checkStored(SNAPSHOT, volume)).toBeNull();
    const damaged = readFileSync(archivePath());
    damaged[damaged.length >> 1]! ^= 0x01;
    writeFileSync(archivePath(), damaged);
    expect(await reader.checkStored(SNAPSHOT, volume)).toMatch(/checksum mismatch/);
    rmSync(archivePath());
    expect(await reader.checkStored(SNAPSHOT, volume)).toMatch(/missing or unreadable/);
  });

  it("reads one file's bytes, and none for a folder, a file over the limit or a missing path", async () => {
    expect((await reader.fileBytes(SNAPSHOT, volume, { path: 'hello.txt', maxBytes: 1024 }))?.toString()).toBe(
      hello.toString(),
    );
    expect(await reader.fileBytes(SNAPSHOT, volume, { path: '.', maxBytes: 1024 })).toBeNull();
    expect(await reader.fileBytes(SNAPSHOT, volume, { path: 'big.bin', maxBytes: 1024 })).toBeNull();
    expect(await reader.fileBytes(SNAPSHOT, volume, { path: 'nope', maxBytes: 1024 })).toBeNull();
  });

  it('streams a large file out whole and says when its bytes differ from the manifest', async () => {
    const out = new PassThrough();
    const received = buffer(out);
    expect(await reader.writeFile(SNAPSHOT, volume, { path: 'big.bin', sha256: sha(big) }, out)).toBe('copied');
    out.end();
    expect((await received).equals(big)).toBe(true);
    const sink = new Writable({ write: (_c, _e, callback) => callback() });
    expect(await reader.writeFile(SNAPSHOT, volume, { path: 'big.bin', sha256: sha(hello) }, sink)).toBe('damaged');
    expect(await reader.writeFile(SNAPSHOT, volume, { path: 'gone.txt', sha256: null }, sink)).toBe('missing');
  });

  it('is the same reader when a worker builds it from the data directory', async () => {
    const tar = await buffer(readerForDataDir(dataDir).tar(SNAPSHOT, volume));
    expect(tar.equals(decompress(readFileSync(archivePath())))).toBe(true);
  });

  it('refuses a format it does not know, saying which, before reading anything', () => {
    const future = stored({ format: 7 as StoreFormat });
    expect(() => reader.tar(SNAPSHOT, future)).toThrow(/stored in format 7, which this version of Volsnap cannot read/);
    expect(() => reader.checkStored(SNAPSHOT, future)).toThrow(expect.objectContaining({ kind: 'Unsupported' }));
  });
});
