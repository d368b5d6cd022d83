import type { Db } from './db';

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
  /** Every chunk it uses, once each (`snapshot_chunks` holds distinct hashes). */
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
 * The store's size questions as queries (issue 18, "Usage and quota"): what each snapshot and
 * workload would free, what deduplication saves. Chunk sharing is read from `snapshot_chunks`
 * (written as a capture ends, before its ready transaction), through its `snapshot_chunks_by_hash` index.
 */
export class StoreUsageTable {
  constructor(private readonly db: Db) {}

  totals(): StoreTotals {
    const sum = (sql: string) => this.db.prepare(sql).pluck().get() as number;
    return {
      volumeBytes: sum('SELECT coalesce(sum(stored_bytes), 0) FROM snapshot_volumes'),
      packBytes: sum('SELECT coalesce(sum(bytes), 0) FROM chunk_packs'),
      chunkBytes: sum('SELECT coalesce(sum(stored_length), 0) FROM chunks'),
      referencedChunkBytes: sum(REFERENCED_CHUNK_BYTES),
    };
  }

  /**
   * Every snapshot row (any status) with its bytes, and per workload the chunk bytes only its own
   * snapshots use (deleting all of them frees these). Two passes over `snapshot_chunks`: one in
   * snapshot order for the sizes alone, one in hash order (its index) for who uses each chunk.
   */
  breakdown(): { snapshots: SnapshotBytes[]; workloadExclusiveChunkBytes: Map<string, number> } {
    const alone = new Map(
      (this.db.prepare(ALONE_PER_SNAPSHOT).all() as { key: string; bytes: number }[]).map((r) => [r.key, r.bytes]),
    );
    const exclusive = new Map<string, number>();
    const workloadExclusiveChunkBytes = new Map<string, number>();
    for (const row of this.db.prepare(EXCLUSIVE_PER_OWNER).all() as { kind: string; key: string; bytes: number }[]) {
      (row.kind === 'snapshot' ? exclusive : workloadExclusiveChunkBytes).set(row.key, row.bytes);
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
    const chunks = this.db.prepare(EXCLUSIVE_OF_ONE).pluck().get(snapshotId) as number;
    return volumes + chunks;
  }
}

type VolumeRow = Omit<SnapshotBytes, 'pinned' | 'chunkBytes' | 'exclusiveChunkBytes'> & { pinned: number };

const REFERENCED_CHUNK_BYTES = `
  SELECT coalesce(sum(c.stored_length), 0) FROM chunks c
  WHERE EXISTS (SELECT 1 FROM snapshot_chunks sc INDEXED BY snapshot_chunks_by_hash WHERE sc.hash = c.hash)`;

/** A chunk is exclusive when no row of another snapshot has its hash (an index probe per chunk). */
const EXCLUSIVE_OF_ONE = `
  SELECT coalesce(sum(c.stored_length), 0)
  FROM snapshot_chunks sc JOIN chunks c ON c.hash = sc.hash
  WHERE sc.snapshot_id = ? AND NOT EXISTS (
    SELECT 1 FROM snapshot_chunks other INDEXED BY snapshot_chunks_by_hash
    WHERE other.hash = sc.hash AND other.snapshot_id <> sc.snapshot_id)`;

const ALONE_PER_SNAPSHOT = `
  SELECT sc.snapshot_id AS key, sum(c.stored_length) AS bytes
  FROM snapshot_chunks sc JOIN chunks c ON c.hash = sc.hash
  GROUP BY sc.snapshot_id`;

/**
 * Who alone uses each chunk, in one walk of the hash index: a chunk used by one snapshot is that
 * snapshot's (kind 'snapshot'); one whose users all belong to one workload is that workload's.
 */
const EXCLUSIVE_PER_OWNER = `
  WITH per_hash AS MATERIALIZED (
    SELECT sc.hash AS hash, count(*) AS users, min(sc.snapshot_id) AS snapshotId,
      min(s.workload_id) AS workloadId, max(s.workload_id) AS lastWorkloadId
    FROM snapshot_chunks sc INDEXED BY snapshot_chunks_by_hash JOIN snapshots s ON s.id = sc.snapshot_id
    GROUP BY sc.hash HAVING workloadId = lastWorkloadId)
  SELECT 'snapshot' AS kind, snapshotId AS key, sum(c.stored_length) AS bytes
  FROM per_hash p JOIN chunks c ON c.hash = p.hash WHERE users = 1 GROUP BY snapshotId
  UNION ALL
  SELECT 'workload', workloadId, sum(c.stored_length)
  FROM per_hash p JOIN chunks c ON c.hash = p.hash GROUP BY workloadId`;

const VOLUMES_PER_SNAPSHOT = `
  SELECT s.id AS snapshotId, s.name, s.workload_id AS workloadId, s.workload_name AS workloadName,
    s.created_at AS createdAt, s.status, s.pinned, coalesce(sum(v.stored_bytes), 0) AS volumeBytes
  FROM snapshots s LEFT JOIN snapshot_volumes v ON v.snapshot_id = s.id
  GROUP BY s.id
  ORDER BY s.created_at DESC`;

/** The statements above, for EXPLAIN QUERY PLAN in the tests. */
export const USAGE_QUERIES = { ALONE_PER_SNAPSHOT, EXCLUSIVE_OF_ONE, EXCLUSIVE_PER_OWNER, REFERENCED_CHUNK_BYTES };
