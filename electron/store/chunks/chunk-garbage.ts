import type { Db } from '../db';
import { PACK_RECORD_HEADER, type PackedChunk } from './chunk-index';
import { chunkHolders } from './snapshot-chunk-refs';

/** A pack and how much of it the index still points at. */
export interface PackUse {
  id: string;
  bytes: number;
  liveBytes: number;
}

/**
 * The queries of garbage collection (services/chunked/store-gc.ts). Marking is the snapshots'
 * chunk lists themselves: a chunk is live while a snapshot's list names it. Callers hold the
 * store's maintenance lock (store-lock.ts), so no capture is about to reuse a chunk.
 */
export class ChunkGarbage {
  constructor(private readonly db: Db) {}

  /** Forgets every chunk no snapshot uses; returns how many. Their bytes stay in packs until repacked. */
  deleteDeadChunks(): number {
    return this.db.transaction(() => {
      const dead = [...chunkHolders(this.db)].filter((c) => c.holders.length === 0);
      const forget = this.db.prepare(`DELETE FROM chunks WHERE hash = ?`);
      for (const { hash } of dead) forget.run(hash);
      return dead.length;
    })();
  }

  packUse(): PackUse[] {
    return this.db
      .prepare(
        `SELECT p.id, p.bytes, COALESCE(SUM(c.stored_length + ${PACK_RECORD_HEADER}), 0) AS liveBytes
         FROM chunk_packs p LEFT JOIN chunks c ON c.pack_id = p.id GROUP BY p.id`,
      )
      .all() as PackUse[];
  }

  liveChunksOf(packId: string): PackedChunk[] {
    return this.db
      .prepare(
        `SELECT hash, pack_id AS packId, offset, stored_length AS storedLength, raw_length AS rawLength
         FROM chunks WHERE pack_id = ? ORDER BY offset`,
      )
      .all(packId) as PackedChunk[];
  }

  /** Removes a pack's row once no chunk points into it (its file goes after, by the caller). */
  forgetEmptyPack(packId: string): boolean {
    return (
      this.db
        .prepare(`DELETE FROM chunk_packs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM chunks WHERE pack_id = ?)`)
        .run(packId, packId).changes === 1
    );
  }
}
