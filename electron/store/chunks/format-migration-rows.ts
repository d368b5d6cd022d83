import type { Db } from '../db';
import { insertSnapshotChunkList } from './snapshot-chunk-refs';

/** What the conversion of one volume to store format 2 produced. */
export interface ConvertedVolume {
  archiveFile: string;
  storedBytes: number;
  /** The chunk bytes the conversion added to the store. */
  addedBytes: number;
  sha256: string;
  /** Every distinct chunk the volume's layout names, 32-byte hashes back to back. */
  chunks: Buffer;
}

/**
 * The queries of the format 1 → 2 migration (services/chunked/store-migration.ts): which ready
 * snapshots still have format 1 volumes, and the switch of one volume to its layout.
 */
export class FormatMigrationRows {
  constructor(private readonly db: Db) {}

  /** Ready snapshots with a format 1 volume, oldest first (their neighbours share the most chunks). */
  pendingSnapshots(): { id: string; name: string }[] {
    return this.db
      .prepare(
        `SELECT s.id, s.name FROM snapshots s
         WHERE s.status = 'ready'
           AND EXISTS (SELECT 1 FROM snapshot_volumes v WHERE v.snapshot_id = s.id AND v.format = 1)
         ORDER BY s.created_at, s.id`,
      )
      .all() as { id: string; name: string }[];
  }

  /** Volumes still kept as format 1 archives, across the store. */
  pendingVolumes(): number {
    return this.db.prepare(`SELECT count(*) FROM snapshot_volumes WHERE format = 1`).pluck().get() as number;
  }

  /**
   * Points one volume at its layout and records the chunks it uses, in one transaction; only if it
   * is still a format 1 volume (false otherwise: another process converted it first, or it is gone).
   */
  switchToChunks(snapshotId: string, position: number, converted: ConvertedVolume): boolean {
    return this.db
      .transaction(() => {
        const switched = this.db
          .prepare(
            `UPDATE snapshot_volumes SET format = 2, archive_file = ?, stored_bytes = ?, added_bytes = ?, sha256 = ?
             WHERE snapshot_id = ? AND position = ? AND format = 1`,
          )
          .run(
            converted.archiveFile,
            converted.storedBytes,
            converted.addedBytes,
            converted.sha256,
            snapshotId,
            position,
          ).changes;
        if (switched === 0) return false;
        insertSnapshotChunkList(this.db, snapshotId, converted.chunks);
        return true;
      })
      .immediate();
  }
}
