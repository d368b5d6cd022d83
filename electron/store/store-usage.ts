import type { Db } from './db';
import { chunkHolders } from './chunks/snapshot-chunk-refs';

/** One snapshot's bytes as the catalog knows them (no Docker, no files). */
export interface SnapshotBytes {
  snapshotId: string;
  name: string;
  workloadId: string;
  workloadName: string;
  createdAt: string;
  status: string;
  pinned: boolean;
  /** Its volumes' files: a format 1 archive each, or a format 2 tar layout each. */
  volumeBytes: number;
  /** Every chunk it uses, once each (its chunk list holds distinct hashes). */
  chunkBytes: number;
  /** The chunks no other snapshot uses: what `gc` frees once it is deleted. */
  exclusiveChunkBytes: number;
}

/** Store-wide totals. */
export interface StoreTotals {
  /** Every volume row's file (archives and layouts). */
  volumeBytes: number;
  /** Every pack file, dead bytes included until `gc` repacks them: what the disk holds. */
  packBytes: number;
  /** Every indexed chunk, referenced or not. */
  chunkBytes: number;
  /** The chunks some snapshot uses: what the packs hold once `gc` has swept and repacked. */
  referencedChunkBytes: number;
}

/**
 * The store's size questions (issue 18, "Usage and quota"): what each snapshot and workload would
 * free, what deduplication saves. Chunk sharing is read from the snapshots' chunk lists (written as
 * a capture ends, before its ready transaction), walked all at once in hash order beside the chunk
 * rows (`chunkHolders`): one pass over every list, however many snapshots share a chunk.
 */
export class StoreUsageTable {
  constructor(private readonly db: Db) {}

  totals(): StoreTotals {
    let referencedChunkBytes = 0;
    for (const { storedLength, holders } of chunkHolders(this.db)) {
      if (holders.length > 0) referencedChunkBytes += storedLength;
    }
    return { ...this.sums(), referencedChunkBytes };
  }

  /** The totals that are plain sums (no walk of the chunk lists): cheap enough for every tray refresh. */
  sums(): Omit<StoreTotals, 'referencedChunkBytes'> {
    const sum = (sql: string) => this.db.prepare(sql).pluck().get() as number;
    return {
      volumeBytes: sum('SELECT coalesce(sum(stored_bytes), 0) FROM snapshot_volumes'),
      packBytes: sum('SELECT coalesce(sum(bytes), 0) FROM chunk_packs'),
      chunkBytes: sum('SELECT coalesce(sum(stored_length), 0) FROM chunks'),
    };
  }

  /**
   * Every snapshot row (any status) with its bytes, and per workload the chunk bytes only its own
   * snapshots use (deleting all of them frees these).
   */
  breakdown(): { snapshots: SnapshotBytes[]; workloadExclusiveChunkBytes: Map<string, number> } {
    const alone = new Map<string, number>();
    const exclusive = new Map<string, number>();
    const workloadExclusiveChunkBytes = new Map<string, number>();
    const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
    for (const { storedLength, holders } of chunkHolders(this.db)) {
      for (const h of holders) add(alone, h.snapshotId, storedLength);
      if (holders.length === 1) add(exclusive, holders[0]!.snapshotId, storedLength);
      const workloads = new Set(holders.map((h) => h.workloadId));
      if (workloads.size === 1) add(workloadExclusiveChunkBytes, holders[0]!.workloadId, storedLength);
    }
    const rows = this.db.prepare(VOLUMES_PER_SNAPSHOT).all() as VolumeRow[];
    const snapshots = rows.map(({ pinned, ...r }) => ({
      ...r,
      pinned: pinned === 1,
      chunkBytes: alone.get(r.snapshotId) ?? 0,
      exclusiveChunkBytes: exclusive.get(r.snapshotId) ?? 0,
    }));
    return { snapshots, workloadExclusiveChunkBytes };
  }

  /** What deleting this one snapshot frees now (volumes + chunks no other snapshot uses). */
  wouldFree(snapshotId: string): number {
    const volumes = this.db
      .prepare('SELECT coalesce(sum(stored_bytes), 0) FROM snapshot_volumes WHERE snapshot_id = ?')
      .pluck()
      .get(snapshotId) as number;
    let chunks = 0;
    for (const { storedLength, holders } of chunkHolders(this.db)) {
      if (holders.length === 1 && holders[0]!.snapshotId === snapshotId) chunks += storedLength;
    }
    return volumes + chunks;
  }
}

type VolumeRow = Omit<SnapshotBytes, 'pinned' | 'chunkBytes' | 'exclusiveChunkBytes'> & { pinned: number };

const VOLUMES_PER_SNAPSHOT = `
  SELECT s.id AS snapshotId, s.name, s.workload_id AS workloadId, s.workload_name AS workloadName,
    s.created_at AS createdAt, s.status, s.pinned, coalesce(sum(v.stored_bytes), 0) AS volumeBytes
  FROM snapshots s LEFT JOIN snapshot_volumes v ON v.snapshot_id = s.id
  GROUP BY s.id
  ORDER BY s.created_at DESC`;
