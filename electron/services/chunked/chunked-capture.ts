import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ChunkIndex } from '../../store/chunks/chunk-index';
import { openDb, type Db } from '../../store/db';
import { ManifestFiles } from '../../store/manifest-files';
import type { ArchivedVolume } from '../archive-pipeline';
import { ContentChunker, STORE_CHUNK_SIZES } from './chunker';
import { decodeLayout, LayoutEncoder } from './layout-file';
import { ReusableFiles } from './reusable-files';
import { PackFiles } from './pack-files';
import { PackWriter } from './pack-writer';
import { splitTarParts } from './tar-layout';
import { crashPoint } from '../restore/crash';

/**
 * Store format v2's capture of one volume (runs in the archive worker): the tar is read and parsed
 * once; `splitTarParts` hashes each file for the manifest, cuts file contents into chunks and
 * appends the new ones to packs, and the layout is encoded part by part. Every pack is sealed and
 * indexed, and the layout file written and fsynced to `tempPath`, before this returns, so once the
 * caller commits the layout every chunk it names is durable. Returns the chunks the layout uses,
 * for the snapshot's chunk references.
 */
export async function writeChunked(options: {
  source: Readable;
  rootName: string;
  tempPath: string;
  dataDir: string;
  onProgress: (totals: { tarBytes: number; files: number }) => void;
  /** The same volume in the workload's last snapshot, for a re-capture to reuse (reusable-files.ts). */
  previous?: PreviousLayout;
  /** Each piece of `source` once the capture no longer refers to it (ByteQueue). */
  onSpent?: (piece: Uint8Array) => void;
}): Promise<ArchivedVolume & { chunks: Buffer }> {
  const db = openDb(options.dataDir);
  const writer = new PackWriter({ index: new ChunkIndex(db), packs: new PackFiles(options.dataDir) });
  try {
    // One chunker for every file (each ends with `finish`, which empties it): a new one per file
    // would allocate its 256 KiB buffer twenty thousand times for a volume of small files.
    const chunker = new ContentChunker(STORE_CHUNK_SIZES, { views: true });
    const reuse = options.previous && (await loadReusable(options.previous, db, chunker.oneChunkUpTo));
    // Each part is encoded as it comes: the layout of 20,000 small files is ~20 MB, held until now.
    const encoder = new LayoutEncoder();
    const { tail, manifest } = await splitTarParts(options.source, {
      writer,
      chunker,
      rootName: options.rootName,
      reuse,
      onPart: (part) => encoder.add(part),
      onProgress: options.onProgress,
      onSpent: options.onSpent,
    });
    reuse?.confirm(manifest.entries);
    // The last packs are made durable while the layout is encoded and written: no chunk is named
    // by a committed layout before both are done, as the caller commits it only after this returns.
    const sealed = writer.flush();
    sealed.catch(() => undefined); // awaited below, after the layout, which may fail first
    const { stored, chunks } = encoder.finish(tail);
    const sha256 = createHash('sha256').update(stored).digest('hex');
    await writeSynced(options.tempPath, stored);
    await sealed;
    crashPoint('capture-layout-synced');
    return {
      manifest,
      // The layout file's own bytes; the chunks are counted by the usage queries, shared or not.
      storedBytes: stored.length,
      addedBytes: writer.newBytes,
      sha256,
      chunks,
    };
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    db.close();
  }
}

/** Writes `bytes` to a new file at `target` and fsyncs it. */
export async function writeSynced(target: string, bytes: Buffer): Promise<void> {
  const file = await open(target, 'w', 0o600);
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Where a volume's previous layout is: its file and its manifest's key. */
export interface PreviousLayout {
  layoutPath: string;
  snapshotId: string;
  position: number;
}

/**
 * The previous snapshot's files to reuse; none if its layout cannot be read (deleted meanwhile,
 * damaged). Files up to `oneChunk` bytes are stored as one chunk, whose hash is their sha256.
 */
async function loadReusable(previous: PreviousLayout, db: Db, oneChunk: number): Promise<ReusableFiles | undefined> {
  try {
    const layout = decodeLayout(await readFile(previous.layoutPath));
    const hashes = new ManifestFiles(db).fileHashes(previous.snapshotId, previous.position, oneChunk);
    return new ReusableFiles(layout, hashes);
  } catch {
    return undefined;
  }
}
