import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Header, Pax } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layoutEntries } from '../chunked/layout-entries';
import { storedVolumeReader, type StoredVolumeReader } from './stored-volume-reader';
import { ContentChunker, STORE_CHUNK_SIZES } from '../chunked/chunker';
import { encodeLayout } from '../chunked/layout-file';
import { PackFiles } from '../chunked/pack-files';
import { PackWriter } from '../chunked/pack-writer';
import { splitTar, type TarLayout } from '../chunked/tar-layout';
import { ArchiveFiles } from '../../store/archive-files';
import type { StoredVolume } from '../../store/catalog';
import { ChunkIndex } from '../../store/chunks/chunk-index';
import { ChunkUsers } from '../../store/chunks/chunk-users';
import { openDb, type Db } from '../../store/db';

const SNAPSHOT = 'fedcba9876543210';
const MiB = 1024 * 1024;
const LONG = `${'deep/'.repeat(30)}long name.txt`;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const GNU_LONG = `${'gnu/'.repeat(30)}long name.txt`;

/** A tar as the Engine gives it for volume `data`, with PAX and GNU long names and a folder after the files. */
function volumeTar(files: [string, Buffer][]): Buffer {
  const blocks: Buffer[] = [header('data/', 0, 'Directory')];
  for (const [name, body] of files) {
    if (name === GNU_LONG) blocks.push(...gnuLongName(`data/${name}`));
    else if (name.length > 90) blocks.push(new Pax({ path: `data/${name}` }, false).encode());
    blocks.push(header(`data/${name}`.slice(0, 99), body.length, 'File'), body);
    blocks.push(Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(header('data/after/', 0, 'Directory'), Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A GNU `././@LongLink` entry (type L) whose body names the next entry. */
function gnuLongName(name: string): Buffer[] {
  const body = Buffer.from(`${name}\0`);
  return [header('././@LongLink', body.length, 'NextFileHasLongPath'), body, Buffer.alloc(512 - body.length)];
}

function header(name: string, size: number, type: 'File' | 'Directory' | 'NextFileHasLongPath'): Buffer {
  const h = new Header({ path: name, size, type, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) });
  h.encode();
  return h.block!;
}

describe('StoredVolumeReader, format 2: one file without the whole tar', () => {
  let dataDir: string;
  let db: Db;
  let index: ChunkIndex;
  let reader: StoredVolumeReader;
  let volume: StoredVolume;
  let layout: TarLayout;
  const big = randomBytes(4 * MiB + 11);
  const hello = Buffer.from('hello from after the big file\n');
  const long = Buffer.from('a file whose name needs a PAX record\n');

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'volsnap-v2-file-'));
    db = openDb(dataDir);
    index = new ChunkIndex(db);
    const packs = new PackFiles(dataDir);
    const files = new ArchiveFiles(dataDir);
    const writer = new PackWriter({ index, packs, targetBytes: MiB });
    const tar = volumeTar([
      ['big.bin', big],
      ['hello.txt', hello],
      [LONG, long],
      [GNU_LONG, hello],
    ]);
    layout = await splitTar(Readable.from([tar]), writer, () => new ContentChunker(STORE_CHUNK_SIZES));
    await writer.flush();
    const stored = encodeLayout(layout);
    await files.makeDir(SNAPSHOT);
    writeFileSync(files.pathOf(SNAPSHOT, '0-data.layout'), stored);
    volume = {
      position: 0,
      volumeName: 'data',
      owner: 'app',
      mountDestination: '/data',
      sizeBytes: big.length + hello.length + long.length,
      storedBytes: stored.length,
      fileCount: 3,
      sha256: sha(stored),
      archiveFile: '0-data.layout',
      format: 2,
    };
    reader = storedVolumeReader({ files, chunks: () => ({ index, packs, users: new ChunkUsers(db) }) });
  });
  afterEach(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Forgets every chunk of big.bin: a read of it now fails, so a read that touches it shows. */
  function dropBigChunks(): void {
    const bigPart = layout.parts.find((p) => p.file?.size === big.length)!;
    expect(bigPart.file!.chunks.length).toBeGreaterThan(1);
    for (const hex of bigPart.file!.chunks)
      db.prepare('DELETE FROM chunks WHERE hash = ?').run(Buffer.from(hex, 'hex'));
  }

  it('names every entry from the layout headers alone, long PAX names and entries after the last file included', () => {
    const entries = layoutEntries(layout, 'data');
    expect(entries.map((e) => [e.path, e.type, e.file?.size])).toEqual([
      ['.', '5', undefined],
      ['big.bin', '0', big.length],
      ['hello.txt', '0', hello.length],
      [LONG, '0', long.length],
      [GNU_LONG, '0', hello.length],
      ['after', '5', undefined],
    ]);
  });

  it("reads a small file after a large one without reading the large one's chunks", async () => {
    dropBigChunks();
    expect((await reader.fileBytes(SNAPSHOT, volume, { path: 'hello.txt', maxBytes: 1024 }))?.equals(hello)).toBe(true);
    expect((await reader.fileBytes(SNAPSHOT, volume, { path: LONG, maxBytes: 1024 }))?.equals(long)).toBe(true);
    expect((await reader.fileBytes(SNAPSHOT, volume, { path: GNU_LONG, maxBytes: 1024 }))?.equals(hello)).toBe(true);
    const out = new PassThrough();
    const received = buffer(out);
    expect(await reader.writeFile(SNAPSHOT, volume, { path: 'hello.txt', sha256: sha(hello) }, out)).toBe('copied');
    out.end();
    expect((await received).equals(hello)).toBe(true);
    // The large file itself is gone, and says so rather than giving wrong bytes.
    await expect(reader.fileBytes(SNAPSHOT, volume, { path: 'big.bin', maxBytes: 8 * MiB })).rejects.toThrow(
      /no chunk/,
    );
  });

  it('gives the same answers as the tar: a folder, a file over the limit, a missing path; a copy checked against its sha256', async () => {
    expect(await reader.fileBytes(SNAPSHOT, volume, { path: '.', maxBytes: 1024 })).toBeNull();
    expect(await reader.fileBytes(SNAPSHOT, volume, { path: 'big.bin', maxBytes: 1024 })).toBeNull();
    expect(await reader.fileBytes(SNAPSHOT, volume, { path: 'nope', maxBytes: 1024 })).toBeNull();
    const out = new PassThrough();
    const received = buffer(out);
    expect(await reader.writeFile(SNAPSHOT, volume, { path: 'big.bin', sha256: sha(big) }, out)).toBe('copied');
    out.end();
    expect((await received).equals(big)).toBe(true);
    const sink = new Writable({ write: (_c, _e, callback) => callback() });
    expect(await reader.writeFile(SNAPSHOT, volume, { path: 'hello.txt', sha256: sha(big) }, sink)).toBe('damaged');
    expect(await reader.writeFile(SNAPSHOT, volume, { path: 'gone.txt', sha256: null }, sink)).toBe('missing');
  });
});
