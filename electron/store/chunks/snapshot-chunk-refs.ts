import type { Db } from '../db';
import { holdersOf, mergeLists, packedList, sortedList } from './sorted-hashes';

/**
 * Records that a snapshot uses these chunks (gc keeps a chunk while any snapshot's list names it):
 * merged into the snapshot's one sorted list (snapshot_chunk_lists). Call inside the caller's
 * transaction: capture adds each volume's chunks before `ready`, the migration with the volume's
 * switch to its layout.
 */
export function insertSnapshotChunks(db: Db, snapshotId: string, hashes: Iterable<Buffer>): void {
  insertSnapshotChunkList(db, snapshotId, sortedList(hashes));
}

/** `insertSnapshotChunks` for hashes packed back to back (as the archive worker sends them). */
export function insertSnapshotChunkList(db: Db, snapshotId: string, packed: Buffer): void {
  const added = packedList(packed);
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

/** A snapshot's chunk list with whose it is. */
export interface SnapshotChunkList {
  snapshotId: string;
  workloadId: string;
  hashes: Buffer;
}

/** Every snapshot's list with its workload, oldest snapshot first. */
export function allSnapshotChunkLists(db: Db): SnapshotChunkList[] {
  return db
    .prepare(
      `SELECT l.snapshot_id AS snapshotId, s.workload_id AS workloadId, l.hashes
       FROM snapshot_chunk_lists l JOIN snapshots s ON s.id = l.snapshot_id ORDER BY s.created_at, s.id`,
    )
    .all() as SnapshotChunkList[];
}

/**
 * Every chunk row in hash order (the order the lists are sorted in) with the snapshots whose lists
 * name it, none when no snapshot uses it: gc's mark and every usage figure, in one pass over each list.
 */
export function* chunkHolders(db: Db): Generator<{ hash: Buffer; storedLength: number; holders: SnapshotChunkList[] }> {
  const lists = allSnapshotChunkLists(db);
  const chunks = db.prepare(`SELECT hash, stored_length AS storedLength FROM chunks ORDER BY hash`).all() as {
    hash: Buffer;
    storedLength: number;
  }[];
  const walk = holdersOf(
    chunks.map((c) => c.hash),
    lists.map((l) => l.hashes),
  );
  let i = 0;
  for (const { holders } of walk) yield { ...chunks[i++]!, holders: holders.map((h) => lists[h]!) };
}
