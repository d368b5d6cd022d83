import { statfs } from 'node:fs/promises';
import type { Db } from '../store/db';
import type { SettingsStore } from '../store/settings-store';
import { StoreUsageTable } from '../store/store-usage';
import { storageWarning } from '../../shared/storage-warning';
import type { DiskSpace, SnapshotUsage, StoreUsage, WorkloadUsage } from '../../shared/usage-types';

export interface StoreUsageDeps {
  db: Db;
  dataDir: string;
  settings: SettingsStore;
  /** The space reserve (store/space-reserve.ts), reported when held. */
  reserve?: { held(): boolean; readonly bytes: number };
  /** The store's disk; statfs of the data directory unless a test gives another. */
  diskSpace?: (dir: string) => Promise<DiskSpace | null>;
}

/** Free and total bytes of the disk holding `dir` (for an unprivileged user: `bavail`); null if it cannot be read. */
export async function statfsSpace(dir: string): Promise<DiskSpace | null> {
  try {
    const s = await statfs(dir);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

/**
 * How big the store is and what deleting each snapshot or workload would free (`volsnap usage`, the
 * Storage screen), the quota's estimates for retention, and the tray's storage warning.
 */
export class StoreUsageService {
  private readonly table: StoreUsageTable;

  constructor(private readonly deps: StoreUsageDeps) {
    this.table = new StoreUsageTable(deps.db);
  }

  async report(): Promise<StoreUsage> {
    const { snapshots: rows, workloadExclusiveChunkBytes } = this.table.breakdown();
    const snapshots: SnapshotUsage[] = rows.map((r) => ({
      id: r.snapshotId,
      name: r.name,
      workloadId: r.workloadId,
      workloadName: r.workloadName,
      createdAt: r.createdAt,
      status: r.status,
      pinned: r.pinned,
      aloneBytes: r.volumeBytes + r.chunkBytes,
      freesBytes: r.volumeBytes + r.exclusiveChunkBytes,
    }));
    const storedBytes = this.storedBytes();
    const aloneBytes = snapshots.reduce((sum, s) => sum + s.aloneBytes, 0);
    const maxStoreBytes = this.deps.settings.get('maxStoreBytes');
    const disk = await this.disk();
    return {
      dataDir: this.deps.dataDir,
      storedBytes,
      aloneBytes,
      savedBytes: Math.max(0, aloneBytes - storedBytes),
      maxStoreBytes,
      disk,
      reserveBytes: this.deps.reserve?.held() ? this.deps.reserve.bytes : 0,
      warning: storageWarning({ storedBytes, maxStoreBytes, disk }),
      workloads: byWorkload(rows, workloadExclusiveChunkBytes),
      snapshots,
    };
  }

  /** The tray's line: cheap (three sums and a statfs), so it can run on every refresh. */
  async warning(): Promise<string | null> {
    const maxStoreBytes = this.deps.settings.get('maxStoreBytes');
    return storageWarning({ storedBytes: this.storedBytes(), maxStoreBytes, disk: await this.disk() });
  }

  /**
   * What the quota compares with `maxStoreBytes`: the volumes' files and the chunks some snapshot
   * uses. Garbage waiting for `gc` (unreferenced chunks, dead pack bytes) is left out, so a gc that
   * has not run yet, or leaves a pack unrepacked, never costs the user a snapshot.
   */
  quotaBytes(): number {
    const t = this.table.totals();
    return t.volumeBytes + t.referencedChunkBytes;
  }

  /** What deleting this snapshot frees now, given the snapshots that still exist. */
  wouldFree(snapshotId: string): number {
    return this.table.wouldFree(snapshotId);
  }

  /** What the store's files take: the volumes' files and the packs, garbage included. */
  storedBytes(): number {
    const t = this.table.sums();
    return t.volumeBytes + t.packBytes;
  }

  private disk(): Promise<DiskSpace | null> {
    return (this.deps.diskSpace ?? statfsSpace)(this.deps.dataDir);
  }
}

function byWorkload(
  rows: { workloadId: string; workloadName: string; volumeBytes: number; chunkBytes: number }[],
  exclusiveChunks: Map<string, number>,
): WorkloadUsage[] {
  const workloads = new Map<string, WorkloadUsage>();
  for (const r of rows) {
    const w = workloads.get(r.workloadId) ?? {
      workloadId: r.workloadId,
      workloadName: r.workloadName,
      snapshotCount: 0,
      aloneBytes: 0,
      freesBytes: exclusiveChunks.get(r.workloadId) ?? 0,
    };
    w.snapshotCount++;
    w.aloneBytes += r.volumeBytes + r.chunkBytes;
    w.freesBytes += r.volumeBytes;
    workloads.set(r.workloadId, w);
  }
  return [...workloads.values()].sort((a, b) => b.freesBytes - a.freesBytes);
}
