import { randomUUID } from 'node:crypto';
import type { ChunkGarbage } from '../../store/chunks/chunk-garbage';
import type { ChunkIndex } from '../../store/chunks/chunk-index';
import type { StoreLock } from '../../store/store-lock';
import { ChunkReader } from './chunk-reader';
import type { PackFiles } from './pack-files';
import { findPackGarbage, removePackGarbage } from './pack-garbage';
import { PackWriter, type SealStep } from './pack-writer';
import { crashPoint } from '../restore/crash';

/** What one collection did. */
export interface GcReport {
  /** Index rows of chunks no snapshot uses any more. */
  deadChunks: number;
  /** Packs removed: empty ones, repacked ones, and a crashed writer's leftovers. */
  removedPacks: number;
  repackedPacks: number;
  /** Pack bytes on disk before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

/** A pack whose live share falls below this is rewritten with only its live chunks. */
const REPACK_BELOW = 0.5;

/** The durable steps of a collection, for kill-at-every-step tests. */
export type GcStep = 'dead-forgotten' | 'pack-forgotten' | 'pack-removed' | SealStep;

export interface StoreGcDeps {
  index: ChunkIndex;
  garbage: ChunkGarbage;
  packs: PackFiles;
  lock: StoreLock;
  /** True while any process reads a snapshot: a repack would move chunks under its feet. */
  readersActive: () => boolean;
  /** Removes archive files no volume names (unlisted-archives.ts); runs with the other leftovers. */
  removeUnlistedArchives?: () => Promise<number>;
  /** Test hook called after each durable step; a test stops the collection there by throwing. */
  afterStep?: (step: GcStep) => void;
}

/**
 * Mark and sweep over the chunk store (issue 18). Marking is the snapshots' chunk lists; sweeping
 * forgets unused chunks, deletes packs nothing points into, and rewrites packs that are mostly
 * dead. Every step is safe to stop after: rows go before files (a file without a row is garbage
 * the next run removes), and a repack's new pack is indexed before its old one is forgotten.
 * Runs only when the store is free (store-lock.ts): never beside a capture that may reuse a chunk.
 */
export class StoreGc {
  constructor(private readonly deps: StoreGcDeps) {}

  /** Collects now if no capture or other maintenance runs; null when the store is busy. */
  runIfIdle(): Promise<GcReport | null> {
    return this.whenIdle(() => this.collect(), null);
  }

  /** Removes what crashed writers left (the start-up sweep), when no capture runs; how many packs. */
  removeLeftovers(): Promise<number> {
    return this.whenIdle(() => this.removeWriterLeftovers(), 0);
  }

  /** Runs `work` holding the store for maintenance, or answers `busy` when it cannot be taken. */
  private async whenIdle<T, B>(work: () => Promise<T>, busy: B): Promise<T | B> {
    const lease = this.deps.lock.tryMaintenance(randomUUID());
    if (!lease) return busy;
    try {
      return await work();
    } finally {
      lease.release();
    }
  }

  /** A crashed writer's packs (how many), and the archive files an interrupted migration left. */
  private async removeWriterLeftovers(): Promise<number> {
    const leftovers = await findPackGarbage(this.deps.packs, this.deps.index);
    await removePackGarbage(this.deps.packs, leftovers);
    await this.deps.removeUnlistedArchives?.();
    return leftovers.temps.length + leftovers.unindexed.length;
  }

  private async collect(): Promise<GcReport> {
    const { garbage } = this.deps;
    const bytesBefore = totalBytes(garbage.packUse());
    const removedLeftovers = await this.removeWriterLeftovers();
    const report: GcReport = {
      deadChunks: garbage.deleteDeadChunks(),
      removedPacks: removedLeftovers,
      repackedPacks: 0,
      bytesBefore,
      bytesAfter: 0,
    };
    this.step('dead-forgotten');
    const use = garbage.packUse();
    for (const pack of use.filter((p) => p.liveBytes === 0)) {
      await this.removePack(pack.id);
      report.removedPacks++;
    }
    if (!this.deps.readersActive()) {
      const sparse = use.filter((p) => p.liveBytes > 0 && p.liveBytes < p.bytes * REPACK_BELOW);
      if (sparse.length > 0) await this.repack(sparse.map((p) => p.id));
      report.repackedPacks = sparse.length;
      // A reader that started meanwhile may still open an old pack by a location it looked up
      // before the move: the emptied packs then wait for the next collection.
      if (!this.deps.readersActive()) {
        for (const pack of sparse) await this.removePack(pack.id);
        report.removedPacks += sparse.length;
      }
    }
    report.bytesAfter = totalBytes(garbage.packUse());
    return report;
  }

  /** Copies the live chunks of `packIds` into new packs; their rows move when each new pack commits. */
  private async repack(packIds: string[]): Promise<void> {
    const { index, packs, garbage, afterStep } = this.deps;
    const reader = new ChunkReader(index, packs);
    const writer = new PackWriter({ index, packs, relocate: true, afterStep });
    try {
      for (const packId of packIds) {
        for (const chunk of garbage.liveChunksOf(packId)) await writer.add(await reader.read(chunk.hash));
      }
      await writer.flush();
    } catch (error) {
      await writer.abort();
      throw error;
    } finally {
      await reader.close();
    }
  }

  private step(name: GcStep): void {
    this.deps.afterStep?.(name);
    crashPoint(`gc-${name}`);
  }

  /** Forgets a pack nothing points into, then deletes its file. */
  private async removePack(packId: string): Promise<void> {
    if (!this.deps.garbage.forgetEmptyPack(packId)) return;
    this.step('pack-forgotten');
    await this.deps.packs.remove(packId);
    this.step('pack-removed');
  }
}

function totalBytes(use: { bytes: number }[]): number {
  return use.reduce((sum, p) => sum + p.bytes, 0);
}
