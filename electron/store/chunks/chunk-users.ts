import type { Db } from '../db';
import { allSnapshotChunkLists } from './snapshot-chunk-refs';
import { listHas } from './sorted-hashes';

/** A snapshot that uses a chunk, with its format 2 volumes (whose layouts say which files). */
export interface ChunkUser {
  snapshotId: string;
  snapshotName: string;
  volumes: { position: number; volumeName: string; archiveFile: string }[];
}

/**
 * Who uses a chunk across the whole store, for verify's report of what a missing or damaged chunk
 * loses. Read from the snapshots' chunk lists (written as a capture ends, before it is ready), a
 * binary search each: no layout is read for a snapshot that does not use the chunk.
 */
export class ChunkUsers {
  constructor(private readonly db: Db) {}

  /** For each of `hashes`, the snapshots using it, oldest first (the lists are read once for all). */
  of(hashes: Buffer[]): ChunkUser[][] {
    const lists = allSnapshotChunkLists(this.db);
    const snapshots = this.db
      .prepare(`SELECT id AS snapshotId, name AS snapshotName FROM snapshots ORDER BY created_at, id`)
      .all() as { snapshotId: string; snapshotName: string }[];
    const volumes = this.db.prepare(
      `SELECT position, volume_name AS volumeName, archive_file AS archiveFile FROM snapshot_volumes
       WHERE snapshot_id = ? AND format = 2 ORDER BY position`,
    );
    return hashes.map((hash) => {
      const using = new Set(lists.filter((l) => listHas(l.hashes, hash)).map((l) => l.snapshotId));
      return snapshots
        .filter((s) => using.has(s.snapshotId))
        .map((s) => ({ ...s, volumes: volumes.all(s.snapshotId) as ChunkUser['volumes'] }));
    });
  }
}
