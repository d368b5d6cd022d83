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

/**
 * Appends new chunks, zstd-compressed, to a pack file and makes them findable only once the pack is
 * durable: temp → fsync → rename → fsync dir → index rows. A crash before the commit leaves a temp
 * or an unindexed pack, both found by `findPackGarbage`; never an index row without its pack.
 * One writer per capture; chunks already in the index or in the open pack are not written again.
 */
export class PackWriter {
  private current: OpenPack | null = null;
  /** What the store held at the first chunk, plus what this writer sealed since (not for a repack). */
  private known: KnownChunks | null = null;
  private readonly target: number;
  private readonly level: number;
  private readonly cctx = new CCtx();
  /** The open pack's records not yet written. */
  private pending = Buffer.allocUnsafeSlow(WRITE_BUFFER_BYTES);
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
    const key = hash.toString('hex');
    if (this.current?.hashes.has(key) || (!this.deps.relocate && this.stored(hash))) return hash;
    const pack = this.current ?? (await this.openPack());
    const room = RECORD_HEADER + compressBound(chunk.length);
    if (this.pendingBytes + room > this.pending.length) {
      await this.writePending(pack);
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

  /** Seals the open pack, if any: after this every chunk added so far is in the index. */
  async flush(): Promise<void> {
    if (this.current) await this.seal();
  }

  /** Drops the open pack (a cancelled capture); sealed packs stay, they are valid and indexed. */
  async abort(): Promise<void> {
    const pack = this.current;
    this.current = null;
    this.pendingBytes = 0;
    if (!pack) return;
    await pack.handle.close().catch(() => undefined);
    await this.deps.packs.removeTemp(pack.id);
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

  private async seal(): Promise<void> {
    const pack = this.current!;
    this.current = null;
    const { packs, index, afterStep } = this.deps;
    const step = (name: SealStep, packId: string) => {
      afterStep?.(name, packId);
      crashPoint(`pack-${name}`);
    };
    try {
      await this.writePending(pack);
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
    step('committed', pack.id);
  }

  private async writePending(pack: OpenPack): Promise<void> {
    for (let done = 0; done < this.pendingBytes;) {
      const { bytesWritten } = await pack.handle.write(this.pending, done, this.pendingBytes - done);
      done += bytesWritten;
    }
    this.pendingBytes = 0;
  }
}
