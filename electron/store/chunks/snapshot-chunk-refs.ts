import type { Db } from '../db';
import { mergeLists, sortedList } from './sorted-hashes';

/**
 * Records that a snapshot uses these chunks (gc keeps a chunk while any snapshot's list names it):
 * merged into the snapshot's one sorted list (snapshot_chunk_lists). Call inside the caller's
 * transaction: capture adds each volume's chunks before `ready`, the migration with the volume's
 * switch to its layout.
 */
export function insertSnapshotChunks(db: Db, snapshotId: string, hashes: Iterable<Buffer>): void {
  const added = sortedList(hashes);
  const known = snapshotChunkList(db, snapshotId);
  db.prepare(`INSERT OR REPLACE INTO snapshot_chunk_lists (snapshot_id, hashes) VALUES (?, ?)`).run(
    snapshotId,
    known.length === 0 ? added : mergeLists(known, added),
  );
}

/** The chunks a snapshot uses, as a sorted list (empty for format 1 and failed snapshots). */
export function snapshotChunkList(db: Db, snapshotId: string): Buffer {
  const row = db.prepare(`SELECT hashes FROM snapshot_chunk_lists WHERE snapshot_id = ?`).pluck().get(snapshotId);
  return (row as Buffer | undefined) ?? Buffer.alloc(0);
}

/** Every snapshot's list with its workload, for gc and usage (which walk them all at once). */
export function allSnapshotChunkLists(db: Db): { snapshotId: string; workloadId: string; hashes: Buffer }[] {
  return db
    .prepare(
      `SELECT l.snapshot_id AS snapshotId, s.workload_id AS workloadId, l.hashes
       FROM snapshot_chunk_lists l JOIN snapshots s ON s.id = l.snapshot_id ORDER BY s.created_at, s.id`,
    )
    .all() as { snapshotId: string; workloadId: string; hashes: Buffer }[];
}

/** Every chunk row's hash and stored length, in hash order (the key the lists are sorted by). */
export function chunksInHashOrder(db: Db): Iterable<{ hash: Buffer; storedLength: number }> {
  return db.prepare(`SELECT hash, stored_length AS storedLength FROM chunks ORDER BY hash`).iterate() as Iterable<{
    hash: Buffer;
    storedLength: number;
  }>;
}
