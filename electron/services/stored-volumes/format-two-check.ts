import { stat } from 'node:fs/promises';
import type { ChunkStore } from './format-two-files';
import { ChunkReader } from '../chunked/chunk-reader';
import type { TarLayout } from '../chunked/tar-layout';
import { VolsnapError } from '../../../shared/errors';

/** A chunk verify could not read back, and why. */
export interface ChunkProblem {
  hash: string;
  problem: string;
}

/** Zeros stand in for unreadable bytes this many at a time. */
const FILL = 1024 * 1024;

/**
 * A format 2 volume's tar for verify: every chunk is read and checked against its hash, and one
 * that cannot be read is recorded in `damaged` instead of ending the read; the file's bytes are
 * made up to its size with zeros so the tar keeps its shape, every later file is still checked,
 * and the file's sha256 then differs from the manifest's.
 */
export async function* checkedTarBytes(
  layout: TarLayout,
  store: ChunkStore,
  damaged: Map<string, string>,
): AsyncGenerator<Buffer> {
  const reader = new ChunkReader(store.index, store.packs);
  try {
    for (const part of layout.parts) {
      yield part.meta;
      if (!part.file) continue;
      let left = part.file.size;
      for (const hex of part.file.chunks) {
        const bytes = damaged.has(hex) ? null : await readChecked(reader, store, hex, damaged);
        if (!bytes) continue;
        const piece = bytes.length > left ? bytes.subarray(0, left) : bytes;
        left -= piece.length;
        if (piece.length > 0) yield piece;
      }
      for (; left > 0; left -= Math.min(left, FILL)) yield Buffer.alloc(Math.min(left, FILL));
    }
    yield layout.tail;
  } finally {
    await reader.close();
  }
}

async function readChecked(
  reader: ChunkReader,
  store: ChunkStore,
  hex: string,
  damaged: Map<string, string>,
): Promise<Buffer | null> {
  try {
    return await reader.read(Buffer.from(hex, 'hex'));
  } catch (error) {
    // Anything but a missing or damaged chunk (a full table of open files, say) is no verdict on the store.
    if (!(error instanceof VolsnapError) || error.kind !== 'Integrity') throw error;
    damaged.set(hex, await diagnose(store, hex));
    return null;
  }
}

/** Words what is wrong with a chunk the reader refused, from the index row and the pack on disk. */
async function diagnose(store: ChunkStore, hex: string): Promise<string> {
  const where = store.index.lookup(Buffer.from(hex, 'hex'));
  if (!where) return 'the chunk index has no row for it';
  const pack = await stat(store.packs.pathOf(where.packId)).catch(() => null);
  if (!pack) return `its pack ${where.packId} is missing`;
  if (pack.size < where.offset + where.storedLength) {
    return `its pack ${where.packId} ends before its record (cut short at ${pack.size} bytes)`;
  }
  return `its bytes in pack ${where.packId} at offset ${where.offset} are damaged (they do not decompress to its hash)`;
}
