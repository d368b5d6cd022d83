import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { decompress } from 'zstd-napi';
import { DCtx } from 'zstd-napi/binding';
import { VolsnapError } from '../../../shared/errors';
import {
  PACK_RECORD_HEADER as RECORD_HEADER_BYTES,
  type ChunkIndex,
  type ChunkLocation,
} from '../../store/chunks/chunk-index';
import { locationIn, type ListLocations } from './list-locations';
import type { PackFiles } from './pack-files';

/** Neighbouring records read in one call: their locations and stored frames, from `hashes[from]` on. */
interface StoredRun {
  from: number;
  where: ChunkLocation[];
  frames: (Buffer | null)[];
}

export interface ReadFramesOptions {
  /** Decompress and hash every frame before it is yielded. */
  check: boolean;
  /** With `check`, only this many frames from the start are checked; the caller checks the rest later itself. */
  checkedFrames?: number;
  /** The caller is done with each frame when it asks for the next. */
  transient?: boolean;
  /** Every hash's location, from `locate` (else they are looked up as the frames are read). */
  located?: readonly ChunkLocation[];
}

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
  private readonly dctx = new DCtx();
  private scratch = Buffer.alloc(0);
  /** The two buffers of this reader's transient reads (one such read at a time). */
  private transientRuns?: RunBuffers;

  constructor(
    private readonly index: ChunkIndex,
    private readonly packs: PackFiles,
  ) {}

  async read(hash: Buffer): Promise<Buffer> {
    const run = await this.readRun([hash], [this.index.lookup(hash)], 0);
    return checked(hash, run.where[0]!, run.frames[0]!);
  }

  /**
   * The chunks of `hashes`, in order. Locations are looked up a batch at a time; records that lie
   * next to each other in a pack (a file's chunks, and the small files written after one another)
   * are read in one call, and the next run is read while the caller uses this one: a volume costs
   * a few hundred reads and queries, not one of each per chunk.
   */
  async *readSequence(hashes: readonly Buffer[]): AsyncGenerator<Buffer> {
    // The frames are decompressed into buffers of their own: no view of a run leaves here.
    for await (const run of this.runs(hashes, new RunBuffers()))
      for (let i = 0; i < run.frames.length; i++) yield checked(hashes[run.from + i]!, run.where[i]!, run.frames[i]!);
  }

  /**
   * The chunks of `hashes` as stored: each a whole zstd frame, read like `readSequence`. With
   * `check`, each frame is decompressed and hashed first (a damaged chunk fails as in
   * `readSequence`); without, the caller checks what it copies by other means (a stream sha256).
   * With `transient`, the caller is done with each frame when it asks for the next (it copies or
   * writes it at once): the runs are then read into two buffers in turn, not a new one each, which
   * the reader keeps for its next transient read (one at a time).
   */
  async *readFrames(hashes: readonly Buffer[], options: ReadFramesOptions): AsyncGenerator<Buffer> {
    const checked = options.check ? (options.checkedFrames ?? hashes.length) : 0;
    const buffers = options.transient ? (this.transientRuns ??= new RunBuffers()) : undefined;
    for await (const run of this.runs(hashes, buffers, options.located))
      for (let i = 0; i < run.frames.length; i++) {
        const frame = run.frames[i] ?? damaged(hashes[run.from + i]!, run.where[i]!);
        if (run.from + i < checked) this.verify(hashes[run.from + i]!, run.where[i]!, frame);
        yield frame;
      }
  }

  /**
   * Checks a frame without keeping its bytes: decompressed into one reused buffer, so a volume's
   * check does not allocate (and collect) its whole size again, as `checked` would.
   */
  private verify(hash: Buffer, where: ChunkLocation, frame: Buffer): void {
    if (this.scratch.length < where.rawLength) this.scratch = Buffer.allocUnsafe(where.rawLength);
    let length = -1;
    try {
      length = this.dctx.decompress(this.scratch.subarray(0, where.rawLength), frame);
    } catch {
      // Not a whole zstd frame, or more bytes than the index says: damaged, as below.
    }
    if (
      length !== where.rawLength ||
      !createHash('sha256').update(this.scratch.subarray(0, length)).digest().equals(hash)
    )
      damaged(hash, where);
  }

  /**
   * Where each of `hashes` is, all looked up now (a chunk the index lacks fails, naming it), first
   * in `known` when given. For a caller that needs the stored size before the bytes (`readFrames`
   * then takes the locations, so each chunk is looked up once: twice cost an export 0.1 s before
   * its first byte).
   */
  locate(hashes: readonly Buffer[], known?: ListLocations | null): ChunkLocation[] {
    // What `known` does not have (all of them without it) is looked up here.
    const left: number[] = [];
    const located = hashes.map((hash, i) => {
      const where = known ? locationIn(known, hash) : undefined;
      if (!where) left.push(i);
      return where;
    });
    for (let from = 0; from < left.length; from += LOCATE_AHEAD) {
      const part = left.slice(from, from + LOCATE_AHEAD);
      const batch = this.index.lookupMany(part.map((i) => hashes[i]!));
      batch.forEach((where, k) => (located[part[k]!] = where ?? this.missing(hashes[part[k]!]!)));
    }
    return located as ChunkLocation[];
  }

  /**
   * `hashes` in runs of neighbouring records, the next run read while the caller uses this one
   * (into `buffers` when given: the run before it is spent by then). Their locations are looked up
   * a batch ahead, unless the caller already has them all (`given`).
   */
  private async *runs(
    hashes: readonly Buffer[],
    buffers?: RunBuffers,
    given?: readonly ChunkLocation[],
  ): AsyncGenerator<StoredRun> {
    const locations: (ChunkLocation | undefined)[] = [];
    const located = (end: number): readonly (ChunkLocation | undefined)[] => {
      if (given) return given;
      while (locations.length < Math.min(end, hashes.length)) {
        locations.push(...this.index.lookupMany(hashes.slice(locations.length, locations.length + LOCATE_AHEAD)));
      }
      return locations;
    };
    const runFrom = (from: number) => this.readRun(hashes, located(from + RUN_CHUNKS_MAX), from, buffers);
    let next = hashes.length > 0 ? runFrom(0) : null;
    while (next) {
      const run = await next;
      const end = run.from + run.frames.length;
      next = end < hashes.length ? runFrom(end) : null;
      // A caller that stops early leaves the read-ahead unawaited: its failure is nobody's.
      next?.catch(() => undefined);
      yield run;
    }
  }

  /**
   * Reads `hashes[from]` and the neighbours that follow it in the same pack (`where`: their
   * locations). A frame cut short by the end of its pack is null.
   */
  private async readRun(
    hashes: readonly Buffer[],
    where: readonly (ChunkLocation | undefined)[],
    from: number,
    buffers?: RunBuffers,
  ): Promise<StoredRun> {
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
    const bytes = buffers ? buffers.next(end - first.offset) : Buffer.allocUnsafe(end - first.offset);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, first.offset);
    const frames = run.map((at) => {
      const start = at.offset - first.offset;
      return start + at.storedLength <= bytesRead ? bytes.subarray(start, start + at.storedLength) : null;
    });
    return { from, where: run, frames };
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

/**
 * Two buffers used in turn for the runs: one is read into while the caller spends the other. Fresh
 * memory is slow to fault in here (an export's 4 MiB run per read cost it a fifth of its time);
 * each grows as its runs do, so one small file's read does not take 8 MiB.
 */
class RunBuffers {
  private readonly both = [Buffer.alloc(0), Buffer.alloc(0)];
  private turn = 0;

  /** Room for a run of `bytes`: a view of the next buffer. */
  next(bytes: number): Buffer {
    this.turn ^= 1;
    const held = this.both[this.turn]!;
    if (held.length >= bytes) return held.subarray(0, bytes);
    const grown = Buffer.allocUnsafeSlow(Math.max(bytes, Math.min(RUN_BYTES, 2 * held.length)));
    this.both[this.turn] = grown;
    return grown.subarray(0, bytes);
  }
}

/** The chunk's bytes if its frame is whole and decompresses to bytes that hash to `hash`; else `Integrity`. */
function checked(hash: Buffer, where: ChunkLocation, frame: Buffer | null): Buffer {
  const bytes = frame && tryDecompress(frame);
  if (bytes && bytes.length === where.rawLength && createHash('sha256').update(bytes).digest().equals(hash))
    return bytes;
  return damaged(hash, where);
}

/** `Integrity`, naming the chunk and its pack. */
function damaged(hash: Buffer, where: ChunkLocation): never {
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
