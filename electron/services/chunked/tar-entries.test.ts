import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, linkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Header, Pax } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestTap } from '../manifest-tap';
import { ChunkIndex } from '../../store/chunks/chunk-index';
import { openDb, type Db } from '../../store/db';
import { ContentChunker, STORE_CHUNK_SIZES } from './chunker';
import { PackFiles } from './pack-files';
import { PackWriter } from './pack-writer';
import { splitTar } from './tar-layout';
import { seededBytes } from '../../../test/seeded-bytes';

// Capture builds a volume's manifest from the header blocks its tar splitter reads (one parse of
// the Engine's tar). These tests hold it to the rows node-tar's parser (ManifestTap) makes for the
// same tar, and to the refusals of that parser.

const ROOT = 'vol';

function block(fields: ConstructorParameters<typeof Header>[0]): Buffer {
  const header = new Header({ mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), ...(fields as object) });
  header.encode();
  return header.block!;
}

function padded(body: Buffer): Buffer[] {
  return [body, Buffer.alloc((512 - (body.length % 512)) % 512)];
}

function entry(fields: ConstructorParameters<typeof Header>[0], body = Buffer.alloc(0)): Buffer {
  return Buffer.concat([block({ ...(fields as object), size: body.length }), ...padded(body)]);
}

const end = Buffer.alloc(1024);

/** A tar with the headers node-tar and Go write beyond plain ustar: PAX, global PAX, GNU long names. */
function extendedTar(): Buffer {
  const longPath = `${ROOT}/${'deep/'.repeat(30)}long name ✓.txt`;
  const longLink = `${'target/'.repeat(20)}x`;
  const pax = (records: Record<string, unknown>, global = false) => new Pax(records, global).encode();
  const gnu = (type: 'NextFileHasLongPath' | 'NextFileHasLongLinkpath', value: string) =>
    entry({ path: '././@LongLink', type }, Buffer.from(`${value}\0`));
  return Buffer.concat([
    entry({ path: `${ROOT}/`, type: 'Directory', mode: 0o755 }),
    pax({ path: longPath, mtime: new Date(1_700_000_000_500), uid: 3_000_000, gid: 77 }),
    entry({ path: `${ROOT}/placeholder`, type: 'File' }, Buffer.from('long-named file\n')),
    gnu('NextFileHasLongPath', `${ROOT}/${'gnu/'.repeat(30)}file`),
    entry({ path: `${ROOT}/gnu-placeholder`, type: 'File' }, Buffer.from('gnu long name\n')),
    gnu('NextFileHasLongLinkpath', longLink),
    entry({ path: `${ROOT}/symlink`, type: 'SymbolicLink', linkpath: 'short' }),
    entry({ path: `${ROOT}/hard`, type: 'Link', linkpath: `${ROOT}/placeholder` }),
    pax({ mode: 0o600 }, true),
    entry({ path: `${ROOT}/after-global`, type: 'File', mode: 0o4755 }, Buffer.alloc(70_000, 7)),
    entry({ path: `${ROOT}/fifo`, type: 'FIFO' }),
    entry({ path: `${ROOT}/dev`, type: 'CharacterDevice' }),
    entry({ path: `${ROOT}/empty`, type: 'File' }),
    // A size only the PAX record gives (Go writes one from 8 GiB up): the header's field says 0.
    pax({ size: 1000 }),
    block({ path: `${ROOT}/pax-sized`, type: 'File', size: 0 }),
    ...padded(Buffer.alloc(1000, 9)),
    end,
  ]);
}

/** A tar GNU tar writes of a real folder, in `format` (pax or gnu). */
function gnuTar(format: 'pax' | 'gnu', dir: string): Buffer {
  const root = path.join(dir, ROOT);
  mkdirSync(path.join(root, 'sub', 'x'.repeat(120)), { recursive: true });
  writeFileSync(path.join(root, 'sub', 'x'.repeat(120), 'y'.repeat(80)), 'very long path\n');
  writeFileSync(path.join(root, 'big.bin'), Buffer.alloc(300_000, 3));
  writeFileSync(path.join(root, 'ünïcødé 名前.txt'), 'unicode\n');
  symlinkSync('big.bin', path.join(root, 'link'));
  linkSync(path.join(root, 'big.bin'), path.join(root, 'hard'));
  execFileSync('mkfifo', [path.join(root, 'pipe')]);
  utimesSync(path.join(root, 'big.bin'), 1_000_000_000, 1_000_000_000);
  return execFileSync('tar', [`--format=${format}`, '-C', dir, '-cf', '-', ROOT], { maxBuffer: 64 << 20 });
}

describe('TarEntries: the manifest from the splitter’s one parse', () => {
  let dataDir: string;
  let db: Db;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'volsnap-tar-entries-'));
    db = openDb(dataDir);
  });
  afterEach(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function split(
    tar: Buffer,
    onProgress?: (totals: { tarBytes: number; files: number }) => void,
    options: { pieces?: Uint8Array[]; onSpent?: (piece: Uint8Array) => void } = {},
  ) {
    const writer = new PackWriter({ index: new ChunkIndex(db), packs: new PackFiles(dataDir) });
    const pieces =
      options.pieces ??
      Array.from({ length: Math.ceil(tar.length / 4096) }, (_, i) => tar.subarray(i * 4096, (i + 1) * 4096));
    const result = await splitTar(Readable.from(pieces), {
      writer,
      chunker: new ContentChunker(STORE_CHUNK_SIZES),
      rootName: ROOT,
      onProgress,
      onSpent: options.onSpent,
    });
    await writer.flush();
    return result;
  }

  async function nodeTarManifest(tar: Buffer) {
    const tap = new ManifestTap(ROOT);
    await pipeline(Readable.from([tar]), tap, new Writable({ write: (_c, _e, done) => done() }));
    return tap.result();
  }

  it.each([
    ['PAX, global PAX and GNU long-name headers', () => extendedTar()],
    ['GNU tar, pax format', () => gnuTar('pax', dataDir)],
    ['GNU tar, gnu format', () => gnuTar('gnu', dataDir)],
  ])('%s: the same rows, sizes and hashes node-tar gives', async (_name, make) => {
    const tar = make();
    const expected = await nodeTarManifest(tar);
    const { manifest } = await split(tar);
    expect(expected.entries.length).toBeGreaterThan(5);
    expect(manifest).toEqual(expected);
  });

  it('hands each piece of the stream on as spent only once nothing refers to it: detached at once, the result is the same', async () => {
    const tar = extendedTar();
    const expected = await split(tar);
    // Pieces of awkward sizes (inside headers, across them, whole files), each with its own memory.
    const sizes = [1, 7, 511, 513, 1024, 3000, 70_000, 5];
    const pieces: Uint8Array[] = [];
    for (let at = 0, i = 0; at < tar.length; i++) {
      const n = sizes[i % sizes.length]!;
      pieces.push(new Uint8Array(tar.subarray(at, at + n)));
      at += n;
    }
    let spent = 0;
    const detach = (piece: Uint8Array) => {
      structuredClone(piece.buffer, { transfer: [piece.buffer] });
      spent++;
    };
    const result = await split(tar, undefined, { pieces, onSpent: detach });
    expect(spent).toBeGreaterThan(pieces.length / 2);
    expect(result.manifest).toEqual(expected.manifest);
    expect(result.parts).toEqual(expected.parts);
    expect(result.tail).toEqual(expected.tail);
  });

  it('files up to the one-chunk size (read whole) and above it (streamed) keep the chunks the chunker cuts', async () => {
    const min = STORE_CHUNK_SIZES.min;
    const bodies = [0, 1, min - 1, min, min + 1, STORE_CHUNK_SIZES.max, 3 * STORE_CHUNK_SIZES.max].map((n, i) =>
      seededBytes(`body ${i}`, n),
    );
    const tar = Buffer.concat([
      entry({ path: `${ROOT}/`, type: 'Directory' }),
      ...bodies.map((body, i) => entry({ path: `${ROOT}/f${i}`, type: 'File' }, body)),
      end,
    ]);
    const { parts, manifest } = await split(tar);
    const files = parts.filter((part) => part.file);
    const chunkHashes = (body: Buffer) => {
      const chunker = new ContentChunker(STORE_CHUNK_SIZES);
      return [...chunker.push(body), ...chunker.finish()].map((c) => createHash('sha256').update(c).digest('hex'));
    };
    expect(files.map((part) => part.file!.chunks)).toEqual(bodies.map(chunkHashes));
    expect(files.map((part) => part.file!.chunks.length).slice(0, 5)).toEqual([0, 1, 1, 1, 1]);
    // Random bytes are cut near the average: so a threshold above the minimum would show here.
    expect(files[5]!.file!.chunks.length).toBeGreaterThan(1);
    expect(files[6]!.file!.chunks.length).toBeGreaterThan(3);
    const rows = manifest.entries.filter((e) => e.type === 'file');
    expect(rows.map((e) => e.sha256)).toEqual(bodies.map((b) => createHash('sha256').update(b).digest('hex')));
  });

  it('reports progress while one large file streams', async () => {
    const tar = Buffer.concat([
      entry({ path: `${ROOT}/`, type: 'Directory' }),
      entry({ path: `${ROOT}/big`, type: 'File' }, Buffer.alloc(200_000, 1)),
      end,
    ]);
    const reports: number[] = [];
    await split(tar, ({ tarBytes }) => reports.push(tarBytes));
    expect(reports.length).toBeGreaterThan(10);
    expect(reports.at(-1)).toBe(tar.length);
  });

  const LAXER_NODE_TAR = new Set([
    'a stream cut inside a header',
    'a stream cut between two entries',
    'data after the end of the archive',
    'no entry at all',
  ]);
  const dir = entry({ path: `${ROOT}/`, type: 'Directory' });
  const file = entry({ path: `${ROOT}/a.txt`, type: 'File' }, Buffer.from('hello\n'));
  const corrupt = Buffer.from(file);
  corrupt[0] = 'b'.charCodeAt(0);
  it.each([
    ['a header with a bad checksum', Buffer.concat([dir, corrupt, end]), /checksum/],
    ['a stream cut inside a header', Buffer.concat([dir, file.subarray(0, 300)]), /ended early/],
    ['a stream cut between two entries', Buffer.concat([dir, file]), /ended early/],
    ['a stream cut inside a file', Buffer.concat([dir, file.subarray(0, 515)]), /ended early/],
    ['data after the end of the archive', Buffer.concat([dir, Buffer.alloc(512), file, end]), /data after its end/],
    [
      'an entry outside the volume folder',
      Buffer.concat([dir, entry({ path: 'other/x', type: 'File' }), end]),
      /outside/,
    ],
    [
      'a hardlink to a path outside the volume folder',
      Buffer.concat([dir, entry({ path: `${ROOT}/h`, type: 'Link', linkpath: 'etc/passwd' }), end]),
      /outside/,
    ],
    [
      'a link without a target',
      Buffer.concat([dir, entry({ path: `${ROOT}/s`, type: 'SymbolicLink' }), end]),
      /target/,
    ],
    ['no entry at all', end, /no entries/],
  ])('refuses %s', async (_name, tar, message) => {
    await expect(split(tar)).rejects.toThrow(message);
    // Where node-tar lets the stream through, capture is the stricter one: Go's archive/tar, which
    // writes the Engine's tar, ends every archive with zero blocks and nothing after them.
    if (!LAXER_NODE_TAR.has(_name)) await expect(nodeTarManifest(tar)).rejects.toThrow();
  });
});
