import { createHash } from 'node:crypto';
import type { Chunker } from './chunker';
import type { ChunkReader } from './chunk-reader';
import type { PackWriter } from './pack-writer';

/** A regular file's content as store format v2 keeps it: its chunk hashes in order. */
export interface FileChunks {
  size: number;
  /** SHA-256 of each chunk, in order (hex). */
  chunks: string[];
}

/** A file's chunks plus the whole-file sha256, as diff and verify use today. */
export interface ChunkedFile extends FileChunks {
  sha256: string;
}

/**
 * Splits a file's content into chunks and stores the new ones; the pack may still be open. Capture
 * uses this one: the manifest tap already hashes each whole file, so hashing it again here would
 * cost a third SHA-256 pass over every byte.
 */
export async function storeChunks(
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  chunker: Chunker,
  writer: PackWriter,
): Promise<FileChunks> {
  const chunks: string[] = [];
  let size = 0;
  for await (const piece of content) {
    size += piece.length;
    for (const chunk of chunker.push(piece)) chunks.push((await writer.add(chunk)).toString('hex'));
  }
  for (const chunk of chunker.finish()) chunks.push((await writer.add(chunk)).toString('hex'));
  return { size, chunks };
}

/** `storeChunks` plus the whole file's sha256. */
export async function storeFile(
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  chunker: Chunker,
  writer: PackWriter,
): Promise<ChunkedFile> {
  const whole = createHash('sha256');
  async function* hashed() {
    for await (const piece of content) {
      whole.update(piece);
      yield piece;
    }
  }
  const stored = await storeChunks(hashed(), chunker, writer);
  return { ...stored, sha256: whole.digest('hex') };
}

/** A file's bytes regenerated from its chunk list, read ahead a few MiB at a time. */
export function fileBytes(reader: ChunkReader, chunks: readonly string[]): AsyncGenerator<Buffer> {
  return reader.readSequence(chunks.map((hex) => Buffer.from(hex, 'hex')));
}
