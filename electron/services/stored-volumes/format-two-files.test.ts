import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

describe('StoredVolumeReader, format 2: one file without the whole tar; the compressed stream', () => {
  let dataDir: string;
  let db: Db;
  let index: ChunkIndex;
  let reader: StoredVolumeReader;
  let volume: StoredVolume;
  let layout: TarLayout;
  let tar: Buffer;
  let packs: PackFiles;
  const big = randomBytes(4 * MiB + 11);
  const hello = Buffer.from('hello from after the big file\n');
  const long = Buffer.from('a file whose name needs a PAX record\n');

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'volsnap-v2-file-'));
    db = openDb(dataDir);
    index = new ChunkIndex(db);
    packs = new PackFiles(dataDir);
    const files = new ArchiveFiles(dataDir);
    const writer = new PackWriter({ index, packs, targetBytes: MiB });
    tar = volumeTar([
      ['big.bin', big],
      ['empty.txt', Buffer.alloc(0)],
      ['hello.txt', hello],
      [LONG, long],
      [GNU_LONG, hello],
    ]);
    layout = await splitTar(Readable.from([tar]), {
      writer,
      chunker: new ContentChunker(STORE_CHUNK_SIZES),
      rootName: 'data',
    });
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
      ['empty.txt', '0', 0],
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

  /** The stored zstd frame of each chunk of big.bin, read from its pack. */
  function bigFrames(): Buffer[] {
    const bigPart = layout.parts.find((p) => p.file?.size === big.length)!;
    return bigPart.file!.chunks.map((hex) => {
      const at = index.lookup(Buffer.from(hex, 'hex'))!;
      return readFileSync(packs.pathOf(at.packId)).subarray(at.offset, at.offset + at.storedLength);
    });
  }

  it('gives export a zstd stream of the exact tar, made of the stored frames, with the size and sha256 it promised', async () => {
    const compressed = await reader.compressed(SNAPSHOT, volume);
    const sent = await buffer(compressed.open());
    expect(sent.length).toBe(compressed.sizeBytes);
    expect(sha(sent)).toBe(compressed.sha256);
    // Decompressed by Debian's zstd, not ours: any zstd reader gives back the Engine's tar.
    expect(execFileSync('zstd', ['-dc'], { input: sent, maxBuffer: 64 * MiB }).equals(tar)).toBe(true);
    // File contents are not compressed again: every stored frame of big.bin is in the stream as is.
    const frames = bigFrames();
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(sent.indexOf(frame)).toBeGreaterThanOrEqual(0);
    // Made again, the same bytes: what is sent is what was measured.
    expect((await buffer(compressed.open())).equals(sent)).toBe(true);
  });

  it('gives push the same stream in one pass: its size from the index before any chunk is read', async () => {
    const measured = await reader.compressed(SNAPSHOT, volume);
    const sized = await reader.sized(SNAPSHOT, volume);
    expect(sized.sha256).toBeNull();
    expect(sized.sizeBytes).toBe(measured.sizeBytes);
    // Each frame is valid until the next is asked for (its read buffer is used again): kept, it is copied.
    const frames: Buffer[] = [];
    for await (const frame of sized.open()) frames.push(Buffer.from(frame));
    expect(Buffer.concat(frames).equals(await buffer(measured.open()))).toBe(true);
    // A chunk the index lacks fails the sizing, naming it, before a byte is promised.
    dropBigChunks();
    const first = layout.parts.find((p) => p.file?.size === big.length)!.file!.chunks[0]!;
    await expect(reader.sized(SNAPSHOT, volume)).rejects.toThrow(`The store has no chunk ${first}.`);
  });

  it('fails the one-pass stream at a damaged chunk, naming it, before the chunk goes out', async () => {
    const bigPart = layout.parts.find((p) => p.file?.size === big.length)!;
    const hex = bigPart.file!.chunks[1]!;
    const at = index.lookup(Buffer.from(hex, 'hex'))!;
    const frame = bigFrames()[1]!;
    const pack = readFileSync(packs.pathOf(at.packId));
    pack[at.offset + (at.storedLength >> 1)]! ^= 0x01;
    writeFileSync(packs.pathOf(at.packId), pack);
    const sized = await reader.sized(SNAPSHOT, volume);
    const sent: Buffer[] = [];
    const copying = (async () => {
      for await (const piece of sized.open()) sent.push(piece);
    })();
    await expect(copying).rejects.toThrow(new RegExp(`Chunk ${hex} in pack ${at.packId} is damaged`));
    const damagedFrame = readFileSync(packs.pathOf(at.packId)).subarray(at.offset, at.offset + at.storedLength);
    expect(damagedFrame.equals(frame)).toBe(false);
    expect(Buffer.concat(sent).indexOf(damagedFrame)).toBe(-1);
  });

  it('leaves the later half of the chunks to checkRest when asked: the same bytes, and a damaged chunk there fails the check', async () => {
    const copied = async (frames: AsyncIterable<Buffer>) => {
      const kept: Buffer[] = [];
      for await (const frame of frames) kept.push(Buffer.from(frame));
      return Buffer.concat(kept);
    };
    const whole = await copied((await reader.sized(SNAPSHOT, volume)).open());
    const intact = (await reader.sized(SNAPSHOT, volume)).openCheckingLater();
    expect((await copied(intact.bytes)).equals(whole)).toBe(true);
    await intact.checkRest();
    // big.bin holds nearly all the content: its first chunk is checked on the way, its last one later.
    const chunks = layout.parts.find((p) => p.file?.size === big.length)!.file!.chunks;
    const damage = (hex: string) => {
      const at = index.lookup(Buffer.from(hex, 'hex'))!;
      const pack = readFileSync(packs.pathOf(at.packId));
      pack[at.offset + (at.storedLength >> 1)]! ^= 0x01;
      writeFileSync(packs.pathOf(at.packId), pack);
      return new RegExp(`Chunk ${hex} in pack ${at.packId} is damaged`);
    };
    const last = damage(chunks.at(-1)!);
    const later = (await reader.sized(SNAPSHOT, volume)).openCheckingLater();
    expect((await copied(later.bytes)).length).toBe(whole.length);
    await expect(later.checkRest()).rejects.toThrow(last);
    await expect(copied((await reader.sized(SNAPSHOT, volume)).open())).rejects.toThrow(last);
    const first = damage(chunks[0]!);
    await expect(copied((await reader.sized(SNAPSHOT, volume)).openCheckingLater().bytes)).rejects.toThrow(first);
  });

  it('checks every chunk before it promises a size and sha256: a damaged one fails, naming it', async () => {
    const bigPart = layout.parts.find((p) => p.file?.size === big.length)!;
    const at = index.lookup(Buffer.from(bigPart.file!.chunks[1]!, 'hex'))!;
    const pack = readFileSync(packs.pathOf(at.packId));
    pack[at.offset + (at.storedLength >> 1)]! ^= 0x01;
    writeFileSync(packs.pathOf(at.packId), pack);
    await expect(reader.compressed(SNAPSHOT, volume)).rejects.toThrow(
      new RegExp(`Chunk ${bigPart.file!.chunks[1]!} in pack ${at.packId} is damaged`),
    );
  });
});
