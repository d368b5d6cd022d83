import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { freeBytes, RESERVE_FILE } from './disk-full';

/**
 * Room for what frees space on a full disk: the catalog's writes (its WAL and shared-memory file) of
 * deleting snapshots, the sweep before them, and a collection's first repack.
 */
export const RESERVE_BYTES = 64 * 1024 * 1024;
/** Made (again) only with this much room left besides: the reserve must never be what fills a disk. */
const MAKE_MARGIN = 512 * 1024 * 1024;

/**
 * A file of incompressible bytes kept in the data directory. When the disk fills up (Docker's own
 * volumes grow on the same disk), SQLite cannot write the catalog, so without it Volsnap could not
 * delete a snapshot, the one thing that would give the space back, and a person would delete files
 * by hand. Commands that free space (and export, which saves a snapshot elsewhere before it is
 * deleted) release it first when the disk is nearly full; the start-up sweep makes it once the store
 * outgrows it, and again after a release once there is room for it and MAKE_MARGIN besides. The
 * file holds nothing: removing it loses nothing.
 */
export class SpaceReserve {
  readonly path: string;

  constructor(
    private readonly dataDir: string,
    readonly bytes = RESERVE_BYTES,
  ) {
    this.path = path.join(dataDir, RESERVE_FILE);
  }

  /** Whether the reserve is there, whole. */
  held(): boolean {
    try {
      return statSync(this.path).size === this.bytes;
    } catch {
      return false;
    }
  }

  /**
   * Makes the reserve unless it is there, the store is smaller than the reserve (deleting every
   * snapshot would give back less than it holds), or the disk lacks room for it and the margin.
   */
  keep(storeBytes: () => number): void {
    const temp = `${this.path}.tmp`;
    try {
      if (this.held()) return;
      // The disk first: a statfs, where the store's size is a catalog query (run on every sweep
      // of a store whose disk stays too full for the reserve).
      const free = freeBytes(this.dataDir);
      if (free === null || free < this.bytes + MAKE_MARGIN || storeBytes() < this.bytes) return;
      // Written under another name and renamed, so a reserve cut short (the disk filled meanwhile)
      // is never taken for a whole one. Fresh random bytes in every block, so neither a compressing
      // nor a deduplicating file system (btrfs, ZFS) can store it in less than it claims.
      const block = Buffer.allocUnsafe(1024 * 1024);
      const fd = openSync(temp, 'w', 0o600);
      try {
        for (let written = 0; written < this.bytes;) {
          randomFillSync(block);
          written += writeSync(fd, block, 0, Math.min(block.length, this.bytes - written));
        }
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.path);
    } catch {
      // The reserve is a safety margin, never a reason for a command to fail.
      rmQuietly(temp);
    }
  }

  /**
   * Gives the reserve back to the disk when it has less free space than the reserve holds; true if
   * it did. Called before the first catalog write of a command that frees space.
   */
  releaseIfFull(): boolean {
    if (!existsSync(this.path)) return false;
    const free = freeBytes(this.dataDir);
    if (free !== null && free >= this.bytes) return false;
    try {
      rmSync(this.path, { force: true });
      return true;
    } catch {
      // Not ours to remove (another user's data dir): the command fails on the full disk as before.
      return false;
    }
  }
}

function rmQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Left for the next attempt, which writes it anew.
  }
}
