import { setImmediate } from 'node:timers/promises';
import { ChunkIndex, type ChunkLocation } from '../../store/chunks/chunk-index';
import { snapshotChunkList } from '../../store/chunks/snapshot-chunk-refs';
import { HASH_BYTES, listIndexOf } from '../../store/chunks/sorted-hashes';
import type { Db } from '../../store/db';

/**
 * The locations of a sorted chunk list's chunks (a snapshot's: sorted-hashes.ts), in its order, as
 * arrays a worker thread takes as they are. An export's (or a push's) main thread, otherwise
 * idle, looks them up while its stream-files worker decodes and plans the layouts; the lookup had
 * taken that worker 145-175 ms of its own before the first byte.
 */
export interface ListLocations {
  list: Uint8Array;
  packIds: string[];
  /** Per chunk: its pack's place in `packIds`, or -1 when the index lacks the chunk. */
  pack: Int32Array;
  offset: Float64Array;
  storedLength: Uint32Array;
  rawLength: Uint32Array;
}

/** Chunks looked up at a time; the app's main thread answers other work in between. */
const PART = 1024;

/** Where the chunks of a snapshot's chunk list are; null when it has none (format 1). */
export async function locateSnapshotChunks(db: Db, snapshotId: string): Promise<ListLocations | null> {
  const list = snapshotChunkList(db, snapshotId);
  return list.length === 0 ? null : locateList(new ChunkIndex(db), list);
}

/** Every chunk of `list` looked up in the index, a part at a time. */
export async function locateList(index: ChunkIndex, list: Uint8Array): Promise<ListLocations> {
  const count = list.length / HASH_BYTES;
  const found: ListLocations = {
    list,
    packIds: [],
    pack: new Int32Array(count),
    offset: new Float64Array(count),
    storedLength: new Uint32Array(count),
    rawLength: new Uint32Array(count),
  };
  const packOf = new Map<string, number>();
  for (let from = 0; from < count; from += PART) {
    await setImmediate();
    index.locateSorted(list.subarray(from * HASH_BYTES, (from + PART) * HASH_BYTES)).forEach((row, i) => {
      const [packId, offset, storedLength, rawLength] = row;
      let pack = -1;
      if (packId !== null) {
        pack = packOf.get(packId) ?? found.packIds.push(packId) - 1;
        packOf.set(packId, pack);
      }
      found.pack[from + i] = pack;
      found.offset[from + i] = offset;
      found.storedLength[from + i] = storedLength;
      found.rawLength[from + i] = rawLength;
    });
  }
  return found;
}

/** Where `hash` is by these locations, or undefined when the list does not hold it or the index lacked it. */
export function locationIn(found: ListLocations, hash: Uint8Array): ChunkLocation | undefined {
  const at = listIndexOf(found.list, hash);
  if (at === -1 || found.pack[at] === -1) return undefined;
  return {
    packId: found.packIds[found.pack[at]!]!,
    offset: found.offset[at]!,
    storedLength: found.storedLength[at]!,
    rawLength: found.rawLength[at]!,
  };
}
