import { createHash, hash, type Hash } from 'node:crypto';
import { VolsnapError } from '../../../shared/errors';
import type { ManifestResult } from '../manifest-tap';
import { BLOCK, isZeroBlock } from '../tar-header-fields';
import type { Chunker } from './chunker';
import type { ChunkReader } from './chunk-reader';
import { storeChunks, type FileChunks } from './chunked-file';
import type { PackWriter } from './pack-writer';
import { ByteQueue } from './byte-queue';
import { TarEntries } from './tar-entries';

/**
 * A volume's tar as store format v2 keeps it: the bytes between file contents (headers, PAX and GNU
 * long-name records, padding: everything the Engine wrote, xattrs included) kept verbatim, and each
 * regular file's content as chunks. Regenerating it gives back the Engine's tar byte for byte, so
 * restore, export and push see exactly what they see today.
 */
export interface TarLayout {
  parts: LayoutPart[];
  /** Bytes after the last file content: final headers, end-of-archive blocks. */
  tail: Buffer;
}

/** The kept bytes before a file's contents (or before the end), and that file's chunks. */
export interface LayoutPart {
  meta: Buffer;
  file?: FileChunks;
}

/** Chunk lists a re-capture may take instead of storing a file (reusable-files.ts). */
export interface FilesToReuse {
  /** The previous chunks of the file behind these header bytes, if its header is unchanged. */
  take(meta: Buffer, size: number): FileChunks | undefined;
}

export interface SplitOptions {
  writer: PackWriter;
  /** Cuts every file in turn (each ends with `finish`, which empties it). */
  chunker: Chunker;
  /** The top folder the Engine puts the volume under; manifest paths are relative to it. */
  rootName: string;
  reuse?: FilesToReuse;
  onPart: (part: LayoutPart) => void;
  /** Called as the stream is read, so one big file still reports progress while it streams. */
  onProgress?: (totals: { tarBytes: number; files: number }) => void;
  /** Each piece of `source` once nothing refers to it any more (ByteQueue): its memory may be reused. */
  onSpent?: (piece: Uint8Array) => void;
}

/**
 * Splits a tar stream into its layout, storing file contents through the pack writer. A file the
 * previous snapshot had under the same header bytes (`reuse`) keeps its chunk list: its bytes are
 * read past, not stored (ReusableFiles.confirm checks them afterwards).
 */
export async function splitTar(
  source: AsyncIterable<Uint8Array>,
  options: Omit<SplitOptions, 'onPart'>,
): Promise<TarLayout & { manifest: ManifestResult }> {
  const parts: LayoutPart[] = [];
  const { tail, manifest } = await splitTarParts(source, { ...options, onPart: (part) => parts.push(part) });
  return { parts, tail, manifest };
}

/**
 * `splitTar` handing each part to `onPart` as soon as its file is stored, instead of keeping them:
 * capture encodes them on the way (LayoutEncoder), as the parts of a volume of many small files
 * add up to tens of MB. The same pass builds the volume's manifest (tar-entries.ts): each file is
 * hashed as its bytes go by. Returns the tail and the manifest.
 */
export async function splitTarParts(
  source: AsyncIterable<Uint8Array>,
  options: SplitOptions,
): Promise<{ tail: Buffer; manifest: ManifestResult }> {
  const { writer, chunker, reuse, onPart, onProgress } = options;
  const entries = new TarEntries(options.rootName);
  const input = new ByteQueue(source[Symbol.asyncIterator](), {
    endedEarly: truncated,
    onRead: (tarBytes) => onProgress?.({ tarBytes, files: entries.count }),
    onSpent: options.onSpent,
  });
  let meta: Buffer[] = [];
  for (;;) {
    const header = await input.take(BLOCK);
    meta.push(header);
    // A stream cut between two entries still ends on a block boundary: only the end-of-archive
    // block says the Engine finished (it answers 200 before it has read the volume, so an error
    // while reading can end the response early without one).
    if (header.length < BLOCK) throw truncated();
    if (isZeroBlock(header)) break;
    const { size, file, extension } = entries.header(header);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (file) {
      const before = concatUnpooled(meta);
      const reused = reuse?.take(before, size);
      const read =
        size <= chunker.oneChunkUpTo
          ? await smallFile(input, size, reused, writer)
          : await largeFile(input, size, reused, chunker, writer);
      onPart({ meta: before, file: read.file });
      entries.fileRead(file, read.sha256);
      meta = [await input.take(padding)];
    } else {
      const body = await input.take(size + padding);
      if (body.length < size + padding) throw truncated();
      meta.push(body);
      if (extension) entries.extensionRead(body.subarray(0, size));
    }
  }
  const rest = await input.rest();
  // Go's archive/tar, which wrote the Engine's tar, ends it with zero blocks and nothing else.
  if (!rest.every((byte) => byte === 0)) throw trailing();
  meta.push(rest);
  return { tail: Buffer.concat(meta), manifest: entries.result(input.bytesRead) };
}

/** A file's chunks (new or reused) and its whole content's sha256, for the manifest. */
interface FileRead {
  file: FileChunks;
  sha256: string;
}

/**
 * A file of one chunk at most (most of a volume's files): read whole and hashed once, for the
 * manifest and as the chunk's address, with no stream of pieces to cut.
 */
async function smallFile(
  input: ByteQueue,
  size: number,
  reused: FileChunks | undefined,
  writer: PackWriter,
): Promise<FileRead> {
  const body = await input.take(size);
  if (body.length < size) throw truncated();
  // One-shot hashes: a Hash object per file was a third of a re-capture's time per small file.
  if (reused) return { file: reused, sha256: hash('sha256', body, 'hex') };
  const digest = hash('sha256', body, 'buffer');
  const sha256 = digest.toString('hex');
  const chunks = size > 0 ? [(await writer.add(body, digest)).toString('hex')] : [];
  return { file: { size, chunks }, sha256 };
}

/** A larger file: hashed as its pieces stream by, and cut into chunks unless it is reused. */
async function largeFile(
  input: ByteQueue,
  size: number,
  reused: FileChunks | undefined,
  chunker: Chunker,
  writer: PackWriter,
): Promise<FileRead> {
  const contentHash = createHash('sha256');
  const content = hashed(input.stream(size), contentHash);
  if (reused) for await (const piece of content) void piece;
  const file = reused ?? (await storeChunks(content, chunker, writer));
  return { file, sha256: contentHash.digest('hex') };
}

async function* hashed(pieces: AsyncIterable<Buffer>, into: Hash): AsyncGenerator<Buffer> {
  for await (const piece of pieces) {
    into.update(piece);
    yield piece;
  }
}

/**
 * The volume's tar stream regenerated from its layout and the chunk store. The chunks of every file
 * are read as one sequence, so the small files stored next to each other come in shared reads.
 */
export async function* regenerateTar(layout: TarLayout, reader: ChunkReader): AsyncGenerator<Buffer> {
  const all = layout.parts.flatMap((part) => part.file?.chunks ?? []).map((hex) => Buffer.from(hex, 'hex'));
  const chunks = reader.readSequence(all);
  try {
    for (const part of layout.parts) {
      yield part.meta;
      for (let i = 0; i < (part.file?.chunks.length ?? 0); i++) {
        const next = await chunks.next();
        yield next.value as Buffer;
      }
    }
  } finally {
    await chunks.return(undefined);
  }
  yield layout.tail;
}

/**
 * The pieces copied into a buffer of its own. Not Buffer.concat's: it takes small buffers from
 * Node's shared 8 KiB pool, where the pack writer's small compressed records land too, and one
 * record still waiting to be written keeps its whole slab alive with the dropped headers beside
 * it (20 MB of them for 20,000 small files).
 */
function concatUnpooled(pieces: Buffer[]): Buffer {
  const out = Buffer.allocUnsafeSlow(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) at += piece.copy(out, at);
  return out;
}

function truncated(): VolsnapError {
  return new VolsnapError(
    'Integrity',
    'The volume archive ended early (inside an entry, or before its end-of-archive block); capture the volume again.',
  );
}

function trailing(): VolsnapError {
  return new VolsnapError('Integrity', 'The volume archive has data after its end; nothing was stored.');
}
