import type { Db } from '../db';

/** A snapshot that uses a chunk, with its format 2 volumes (whose layouts say which files). */
export interface ChunkUser {
  snapshotId: string;
  snapshotName: string;
  volumes: { position: number; volumeName: string; archiveFile: string }[];
}

/**
 * Who uses a chunk across the whole store, for verify's report of what a missing or damaged chunk
 * loses. Read from snapshot_chunks (written as a capture ends, before it is ready) through its
 * by-hash index: no layout is read for a snapshot that does not use the chunk.
 */
export class ChunkUsers {
  constructor(private readonly db: Db) {}

  /** The snapshots using `hash`, oldest first. */
  of(hash: Buffer): ChunkUser[] {
    const snapshots = this.db
      .prepare(
        `SELECT n.id AS snapshotId, n.name AS snapshotName FROM snapshot_chunks c
         JOIN snapshots n ON n.id = c.snapshot_id WHERE c.hash = ? ORDER BY n.created_at, n.id`,
      )
      .all(hash) as { snapshotId: string; snapshotName: string }[];
    const volumes = this.db.prepare(
      `SELECT position, volume_name AS volumeName, archive_file AS archiveFile FROM snapshot_volumes
       WHERE snapshot_id = ? AND format = 2 ORDER BY position`,
    );
    return snapshots.map((s) => ({ ...s, volumes: volumes.all(s.snapshotId) as ChunkUser['volumes'] }));
  }
}
