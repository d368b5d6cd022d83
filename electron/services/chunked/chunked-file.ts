import { createHash } from 'node:crypto';
import type { Chunker } from './chunker';
import type { ChunkReader } from './chunk-reader';
import type { PackWriter } from './pack-writer';

/** A regular file as store format v2 keeps it: its chunk hashes in order, plus the whole-file sha256. */
export interface ChunkedFile {
  size: number;
  /** Of the whole content, as diff and verify use today. */
  sha256: string;
  /** SHA-256 of each chunk, in order (hex). */
  chunks: string[];
}

/** Splits a file's content into chunks and stores the new ones; the pack may still be open. */
export async function storeFile(
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  chunker: Chunker,
  writer: PackWriter,
): Promise<ChunkedFile> {
  const whole = createHash('sha256');
  const chunks: string[] = [];
  let size = 0;
  for await (const piece of content) {
    whole.update(piece);
    size += piece.length;
    for (const chunk of chunker.push(piece)) chunks.push((await writer.add(chunk)).toString('hex'));
  }
  for (const chunk of chunker.finish()) chunks.push((await writer.add(chunk)).toString('hex'));
  return { size, sha256: whole.digest('hex'), chunks };
}

/** A file's bytes regenerated from its chunk list, chunk by chunk (memory: one chunk at a time). */
export async function* fileBytes(reader: ChunkReader, chunks: readonly string[]): AsyncGenerator<Buffer> {
  for (const hex of chunks) yield await reader.read(Buffer.from(hex, 'hex'));
}
