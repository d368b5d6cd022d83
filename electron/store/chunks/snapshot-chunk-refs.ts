import type { Db } from '../db';

/**
 * Records that a snapshot uses these chunks (gc keeps a chunk while any snapshot references it).
 * Call inside the caller's transaction: capture writes them in batches before `ready`, the format
 * migration with the volume's switch to its layout.
 */
export function insertSnapshotChunks(db: Db, snapshotId: string, hashes: Iterable<Buffer>): void {
  const insert = db.prepare(`INSERT OR IGNORE INTO snapshot_chunks (snapshot_id, hash) VALUES (?, ?)`);
  for (const hash of hashes) insert.run(snapshotId, hash);
}
