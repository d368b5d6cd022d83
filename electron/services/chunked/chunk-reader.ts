import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { decompress } from 'zstd-napi';
import { VolsnapError } from '../../../shared/errors';
import {
  PACK_RECORD_HEADER as RECORD_HEADER_BYTES,
  type ChunkIndex,
  type ChunkLocation,
} from '../../store/chunks/chunk-index';
import type { PackFiles } from './pack-files';

/** Open pack handles kept for sequential reads; a file's chunks mostly sit in one or two packs. */
const OPEN_PACKS = 8;
/** A run of neighbouring records is read in one call up to this size. */
const RUN_BYTES = 4 * 1024 * 1024;
/** The most chunks one run can hold: RUN_BYTES of the smallest records (an empty chunk's frame is 9+ bytes). */
const RUN_CHUNKS_MAX = Math.ceil(RUN_BYTES / (RECORD_HEADER_BYTES + 9));
/** Locations are looked up this many chunks at a time. */
const LOCATE_AHEAD = 1024;

/**
 * Returns a chunk's bytes by hash, checking them against the hash: a damaged pack is reported,
 * never passed on as a file's contents. Call `close` when done.
 */
export class ChunkReader {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  constructor(
    private readonly index: ChunkIndex,
    private readonly packs: PackFiles,
  ) {}

  async read(hash: Buffer): Promise<Buffer> {
    return (await this.readRun([hash], [this.index.lookup(hash)], 0)).chunks[0]!;
  }

  /**
   * The chunks of `hashes`, in order. Locations are looked up a batch at a time; records that lie
   * next to each other in a pack (a file's chunks, and the small files written after one another)
   * are read in one call, and the next run is read while the caller uses this one: a volume costs
   * a few hundred reads and queries, not one of each per chunk.
   */
  async *readSequence(hashes: readonly Buffer[]): AsyncGenerator<Buffer> {
    const locations: (ChunkLocation | undefined)[] = [];
    const located = (end: number) => {
      while (locations.length < Math.min(end, hashes.length)) {
        locations.push(...this.index.lookupMany(hashes.slice(locations.length, locations.length + LOCATE_AHEAD)));
      }
      return locations;
    };
    const runFrom = (from: number) => this.readRun(hashes, located(from + RUN_CHUNKS_MAX), from);
    let next = hashes.length > 0 ? runFrom(0) : null;
    while (next) {
      const run = await next;
      next = run.end < hashes.length ? runFrom(run.end) : null;
      // A caller that stops early leaves the read-ahead unawaited: its failure is nobody's.
      next?.catch(() => undefined);
      yield* run.chunks;
    }
  }

  /** Reads `hashes[from]` and the neighbours that follow it in the same pack (`where`: their locations). */
  private async readRun(
    hashes: readonly Buffer[],
    where: readonly (ChunkLocation | undefined)[],
    from: number,
  ): Promise<{ chunks: Buffer[]; end: number }> {
    const first = where[from] ?? this.missing(hashes[from]!);
    const run = [first];
    let end = first.offset + first.storedLength;
    for (let i = from + 1; i < where.length; i++) {
      const next = where[i];
      const adjacent = next?.packId === first.packId && next.offset === end + RECORD_HEADER_BYTES;
      if (!adjacent || next.offset + next.storedLength - first.offset > RUN_BYTES) break;
      run.push(next);
      end = next.offset + next.storedLength;
    }
    const handle = await this.handle(first.packId);
    const bytes = Buffer.allocUnsafe(end - first.offset);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, first.offset);
    const chunks = run.map((at, i) => {
      const start = at.offset - first.offset;
      const frame = start + at.storedLength <= bytesRead ? bytes.subarray(start, start + at.storedLength) : null;
      return checked(hashes[from + i]!, at, frame && tryDecompress(frame));
    });
    return { chunks, end: from + run.length };
  }

  private missing(hash: Buffer): never {
    throw new VolsnapError(
      'Integrity',
      `The store has no chunk ${hash.toString('hex')}. Run \`volsnap verify\` to see which snapshots are affected.`,
    );
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map(async (h) => (await h.catch(() => null))?.close()));
  }

  private handle(packId: string): Promise<FileHandle> {
    const known = this.handles.get(packId);
    if (known) return known;
    if (this.handles.size >= OPEN_PACKS) {
      const [oldest, handle] = this.handles.entries().next().value as [string, Promise<FileHandle>];
      this.handles.delete(oldest);
      void handle.then((h) => h.close()).catch(() => undefined);
    }
    const opened = open(this.packs.pathOf(packId), 'r').catch((error: NodeJS.ErrnoException) => {
      this.handles.delete(packId);
      throw new VolsnapError(
        'Integrity',
        `Pack ${packId} is missing from the store (${error.code ?? error.message}). Run \`volsnap verify\` to see which snapshots are affected.`,
      );
    });
    this.handles.set(packId, opened);
    return opened;
  }
}

/** The chunk's bytes if they are whole and hash to `hash`; `Integrity` naming the pack otherwise. */
function checked(hash: Buffer, where: ChunkLocation & { packId: string }, bytes: Buffer | null): Buffer {
  if (bytes && bytes.length === where.rawLength && createHash('sha256').update(bytes).digest().equals(hash))
    return bytes;
  throw new VolsnapError(
    'Integrity',
    `Chunk ${hash.toString('hex')} in pack ${where.packId} is damaged. Run \`volsnap verify\` to see which snapshots are affected.`,
  );
}

function tryDecompress(frame: Buffer): Buffer | null {
  try {
    return decompress(frame);
  } catch {
    return null;
  }
}
