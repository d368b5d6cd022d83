import { createHash } from 'node:crypto';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { CCtx, compressBound } from 'zstd-napi/binding';
import { PACK_RECORD_HEADER, type ChunkIndex, type PackedChunk } from '../../store/chunks/chunk-index';
import { fsyncDir } from '../../store/archive-files';
import { KnownChunks } from './known-chunks';
import type { PackFiles } from './pack-files';
import { crashPoint } from '../restore/crash';

/** Packs are sealed once they reach this size: tens of MB, few files, cheap repacks. */
export const PACK_TARGET_BYTES = 32 * 1024 * 1024;

/** A record's bytes before its zstd frame (see PACK_RECORD_HEADER). */
export const RECORD_HEADER = PACK_RECORD_HEADER;

/** The durable steps of sealing a pack, for kill-at-every-step tests. */
export type SealStep = 'synced' | 'renamed' | 'committed';

export interface PackWriterDeps {
  index: ChunkIndex;
  packs: PackFiles;
  targetBytes?: number;
  zstdLevel?: number;
  /** A repack: every chunk added is written (the index has them all) and moves to the new pack. */
  relocate?: boolean;
  /** Test hook called after each step; a test stops the writer there by throwing. */
  afterStep?: (step: SealStep, packId: string) => void;
}

interface OpenPack {
  id: string;
  handle: FileHandle;
  bytes: number;
  chunks: PackedChunk[];
  hashes: Set<string>;
}

/**
 * Records are compressed straight into one buffer of this size and written a buffer at a time:
 * one write per few MiB instead of two per chunk, and no buffer per record for the collector.
 */
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

const ignore = (): void => undefined;

/**
 * Appends new chunks, zstd-compressed, to a pack file and makes them findable only once the pack is
 * durable: temp → fsync → rename → fsync dir → index rows. A crash before the commit leaves a temp
 * or an unindexed pack, both found by `findPackGarbage`; never an index row without its pack.
 * One writer per capture; chunks already in the index or in a pack of this writer are not written again.
 *
 * The disk work runs beside the caller's: each full buffer is written while the next one fills,
 * and a full pack is made durable (fsync, rename, index rows) in the background, one pack after
 * another, while the next pack fills. Waiting for them was a fifth of a first capture (1.1 s of
 * 6 s on the 700 MB bench volume). `flush` waits for all of it; a failure comes out of the next
 * `add` or of `flush`.
 */
export class PackWriter {
  private current: OpenPack | null = null;
  /** Full packs on their way to the index: their chunks count as stored for `add`. */
  private readonly sealing = new Set<OpenPack>();
  /** The background seals in order; rejects with the first failure, after which none runs. */
  private seals: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  /** The last buffer write started (of any pack): the other buffer is free once it settles. */
  private lastWrite: Promise<void> = Promise.resolve();
  /** What the store held at the first chunk, plus what this writer sealed since (not for a repack). */
  private known: KnownChunks | null = null;
  private readonly target: number;
  private readonly level: number;
  private readonly cctx = new CCtx();
  /** The open pack's records not yet written, and the buffer being written meanwhile. */
  private pending = Buffer.allocUnsafeSlow(WRITE_BUFFER_BYTES);
  private spare = Buffer.allocUnsafeSlow(WRITE_BUFFER_BYTES);
  private pendingBytes = 0;
  newBytes = 0;
  newChunks = 0;

  constructor(private readonly deps: PackWriterDeps) {
    this.target = deps.targetBytes ?? PACK_TARGET_BYTES;
    this.level = deps.zstdLevel ?? 1;
  }

  /**
   * Stores a chunk unless the store has it already; returns its SHA-256. `hash`: the chunk's
   * SHA-256 when the caller has just computed it (a file that is one chunk), so it is not computed twice.
   */
  async add(chunk: Uint8Array, hash = createHash('sha256').update(chunk).digest()): Promise<Buffer> {
    if (this.failure) throw this.failure;
    const key = hash.toString('hex');
    if (this.written(key) || (!this.deps.relocate && this.stored(hash))) return hash;
    const pack = this.current ?? (await this.openPack());
    const room = RECORD_HEADER + compressBound(chunk.length);
    if (this.pendingBytes + room > this.pending.length) {
      await this.writeOut(pack);
      if (room > this.pending.length) this.pending = Buffer.allocUnsafeSlow(room);
    }
    const at = this.pendingBytes;
    const frameLength = this.cctx.compress(this.pending.subarray(at + RECORD_HEADER, at + room), chunk, this.level);
    hash.copy(this.pending, at);
    this.pending.writeUInt32BE(frameLength, at + 32);
    this.pendingBytes += RECORD_HEADER + frameLength;
    pack.chunks.push({
      hash,
      packId: pack.id,
      offset: pack.bytes + RECORD_HEADER,
      storedLength: frameLength,
      rawLength: chunk.length,
    });
    pack.hashes.add(key);
    pack.bytes += RECORD_HEADER + frameLength;
    this.newBytes += frameLength;
    this.newChunks++;
    if (pack.bytes >= this.target) await this.seal();
    return hash;
  }

  /** Seals the open pack, if any, and waits for every seal: then every chunk added so far is indexed. */
  async flush(): Promise<void> {
    if (this.current) await this.seal();
    await this.seals;
  }

  /**
   * Drops the open pack (a cancelled capture) once the disk work under way has settled; sealed
   * packs stay, they are valid and indexed.
   */
  async abort(): Promise<void> {
    const pack = this.current;
    this.current = null;
    this.pendingBytes = 0;
    await this.lastWrite.catch(ignore);
    await this.seals.catch(ignore);
    if (!pack) return;
    await pack.handle.close().catch(ignore);
    await this.deps.packs.removeTemp(pack.id);
  }

  /** In a pack of this writer, open or on its way to the index. */
  private written(key: string): boolean {
    if (this.current?.hashes.has(key)) return true;
    for (const pack of this.sealing) if (pack.hashes.has(key)) return true;
    return false;
  }

  private stored(hash: Buffer): boolean {
    this.known ??= new KnownChunks(this.deps.index.hashPrefixes());
    return this.known.mayHave(hash) && this.deps.index.has(hash);
  }

  private async openPack(): Promise<OpenPack> {
    await this.deps.packs.makeDir();
    const id = this.deps.packs.newId();
    const handle = await open(this.deps.packs.tempPathOf(id), 'wx');
    this.current = { id, handle, bytes: 0, chunks: [], hashes: new Set() };
    return this.current;
  }

  /** Writes the pack's last records and queues it to be made durable; returns once the next pack may fill. */
  private async seal(): Promise<void> {
    const pack = this.current!;
    // Still `current` while this may fail: abort then closes it and removes its temp.
    await this.writeOut(pack);
    this.current = null;
    const written = this.lastWrite;
    this.sealing.add(pack);
    this.seals = this.seals.then(
      () => this.makeDurable(pack, written),
      async (error: unknown) => {
        // An earlier seal failed: this pack stays a temp, which the sweep removes.
        await written.catch(ignore);
        await pack.handle.close().catch(ignore);
        throw error;
      },
    );
    this.seals.catch((error: Error) => (this.failure ??= error));
  }

  private async makeDurable(pack: OpenPack, written: Promise<void>): Promise<void> {
    const { packs, index, afterStep } = this.deps;
    const step = (name: SealStep, packId: string) => {
      afterStep?.(name, packId);
      crashPoint(`pack-${name}`);
    };
    try {
      await written;
      await pack.handle.sync();
    } finally {
      await pack.handle.close();
    }
    step('synced', pack.id);
    await rename(packs.tempPathOf(pack.id), packs.pathOf(pack.id));
    await fsyncDir(packs.dir);
    step('renamed', pack.id);
    index.commitPack(pack.id, pack.bytes, pack.chunks, { relocate: this.deps.relocate });
    this.known?.add(pack.chunks.map((c) => c.hash));
    this.sealing.delete(pack);
    step('committed', pack.id);
  }

  /**
   * Starts writing the records gathered so far and swaps buffers: the next records go into the
   * one whose write (the one before) has finished. Writes stay in order, one at a time.
   */
  private async writeOut(pack: OpenPack): Promise<void> {
    await this.lastWrite;
    if (this.pendingBytes === 0) return;
    const buffer = this.pending;
    const write = writeAll(pack.handle, buffer, this.pendingBytes);
    // Awaited by the next writeOut or by the pack's seal; a failure must not go unhandled meanwhile.
    write.catch(ignore);
    this.lastWrite = write;
    this.pending = this.spare;
    this.spare = buffer;
    this.pendingBytes = 0;
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer, length: number): Promise<void> {
  for (let done = 0; done < length;) {
    const { bytesWritten } = await handle.write(buffer, done, length - done);
    done += bytesWritten;
  }
}
