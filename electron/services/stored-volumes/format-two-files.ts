import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { layoutEntries, type LayoutEntry } from '../chunked/layout-entries';
import type { FileCopy } from './tar-files';
import { ChunkReader } from '../chunked/chunk-reader';
import { fileBytes } from '../chunked/chunked-file';
import type { TarLayout } from '../chunked/tar-layout';
import type { ChunkIndex } from '../../store/chunks/chunk-index';
import type { PackFiles } from '../chunked/pack-files';

/** Type flags whose contents are a regular file's bytes, as the tar reader of format 1 keeps them. */
const REGULAR = new Set(['0', '\0', '7']);

export interface ChunkStore {
  index: ChunkIndex;
  packs: PackFiles;
}

/**
 * One file of a format 2 volume, read without regenerating the volume's tar: the entry is found
 * in the layout's headers and only its chunks are read, each checked against its hash. Same
 * answers as reading the tar (format 1): the first entry with that path, null when it is not a
 * regular file of at most `maxBytes`.
 */
export async function layoutFileBytes(
  layout: TarLayout,
  store: ChunkStore,
  file: { rootName: string; path: string; maxBytes: number },
): Promise<Buffer | null> {
  const entry = find(layout, file.rootName, file.path);
  if (!entry?.file || !REGULAR.has(entry.type) || entry.file.size > file.maxBytes) return null;
  const parts: Buffer[] = [];
  await withReader(store, async (reader) => {
    for await (const piece of fileBytes(reader, entry.file!.chunks)) parts.push(piece);
  });
  return Buffer.concat(parts);
}

/** Streams one file of a format 2 volume to `out` (left open), checking it against `sha256` at the end. */
export async function layoutFileCopy(
  layout: TarLayout,
  store: ChunkStore,
  file: { rootName: string; path: string; sha256: string | null },
  out: NodeJS.WritableStream,
): Promise<FileCopy> {
  const entry = find(layout, file.rootName, file.path);
  if (!entry) return 'missing';
  const hash = createHash('sha256');
  if (entry.file) {
    const chunks = entry.file.chunks;
    await withReader(store, async (reader) => {
      async function* hashed(): AsyncGenerator<Buffer> {
        for await (const piece of fileBytes(reader, chunks)) {
          hash.update(piece);
          yield piece;
        }
      }
      // pipeline: a slow reader of `out` slows the chunk reads, and a closed one stops them.
      await pipeline(Readable.from(hashed()), out, { end: false });
    });
  }
  return file.sha256 !== null && hash.digest('hex') !== file.sha256 ? 'damaged' : 'copied';
}

function find(layout: TarLayout, rootName: string, wanted: string): LayoutEntry | undefined {
  return layoutEntries(layout, rootName).find((entry) => entry.path === wanted);
}

async function withReader(store: ChunkStore, use: (reader: ChunkReader) => Promise<void>): Promise<void> {
  const reader = new ChunkReader(store.index, store.packs);
  try {
    await use(reader);
  } finally {
    await reader.close();
  }
}
