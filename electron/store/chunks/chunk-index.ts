import type { Db } from '../db';
import { HASH_BYTES } from './sorted-hashes';

/**
 * Every record in a pack is `hash (32 bytes) | stored length (u32 BE) | zstd frame`, so the index
 * can be rebuilt and verified from the packs alone; the index points at the frame.
 */
export const PACK_RECORD_HEADER = 36;

/** Where one chunk's compressed bytes live. */
export interface ChunkLocation {
  packId: string;
  /** Byte offset of the chunk's zstd frame inside the pack file. */
  offset: number;
  storedLength: number;
  rawLength: number;
}

/** A chunk's row from `locateSorted`: pack id (null when the index lacks it), offset, stored and raw length. */
type SortedRow = [packId: string | null, offset: number, storedLength: number, rawLength: number];

export interface PackedChunk extends ChunkLocation {
  /** SHA-256 of the uncompressed bytes. */
  hash: Buffer;
}

/**
 * The chunk index of store format v2 (issue 18): chunk hash → pack, offset, length. Rows of a
 * pack are written only after the pack file is durable under its final name (services/chunked/
 * pack-writer.ts), so a row never points at a missing pack.
 */
export class ChunkIndex {
  // Prepared once: a capture or a read asks once per chunk, tens of thousands of times a volume.
  private readonly hasStatement;
  private readonly lookupStatement;
  private readonly listedStatement;
  private readonly sortedStatement;

  constructor(private readonly db: Db) {
    this.hasStatement = db.prepare('SELECT 1 FROM chunks WHERE hash = ?').pluck();
    this.lookupStatement = db.prepare(
      'SELECT pack_id AS packId, offset, stored_length AS storedLength, raw_length AS rawLength FROM chunks WHERE hash = ?',
    );
    // A list of hashes is passed as one JSON array of hex strings and joined in SQLite: three times
    // faster than one `IN (?, …)` query per 500 hashes, or one query per hash, for a volume's
    // tens of thousands (no row objects made twice, no bound-parameter limit).
    this.listedStatement = db.prepare(
      `SELECT c.pack_id AS packId, c.offset, c.stored_length AS storedLength, c.raw_length AS rawLength
       FROM json_each(?) AS j LEFT JOIN chunks AS c ON c.hash = unhex(j.value) ORDER BY j.key`,
    );
    // A part of a sorted list, cut into its hashes in SQLite; rows as arrays.
    this.sortedStatement = db
      .prepare(
        `WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < @count)
         SELECT c.pack_id, c.offset, c.stored_length, c.raw_length
         FROM i LEFT JOIN chunks AS c ON c.hash = substr(@list, n * ${HASH_BYTES} + 1, ${HASH_BYTES}) ORDER BY n`,
      )
      .raw();
  }

  /**
   * Where each chunk of a part of a sorted list is (sorted-hashes.ts), in its order. In the order the
   * index keeps them, 38,000 chunks took 87-91 ms against 108-111 in a volume's order (a fresh
   * process each); rows as arrays, not objects, 40-50 ms against 53-68 (warm).
   */
  locateSorted(part: Uint8Array): SortedRow[] {
    if (part.length === 0) return [];
    return this.sortedStatement.all({ list: part, count: part.length / HASH_BYTES }) as SortedRow[];
  }

  has(hash: Buffer): boolean {
    return this.hasStatement.get(hash) !== undefined;
  }

  /** The first 8 bytes of every stored chunk's hash, read row by row (no list of all the rows). */
  *hashPrefixes(): Generator<bigint> {
    for (const hash of this.db.prepare('SELECT hash FROM chunks').pluck().iterate()) {
      yield (hash as Buffer).readBigUInt64BE(0);
    }
  }

  lookup(hash: Buffer): ChunkLocation | undefined {
    return this.lookupStatement.get(hash) as ChunkLocation | undefined;
  }

  /** Where each of `hashes` is (undefined for a chunk the index lacks), in order. */
  lookupMany(hashes: readonly Buffer[]): (ChunkLocation | undefined)[] {
    // A hash the index lacks comes back as a row of nulls (the LEFT JOIN).
    const rows = this.listedStatement.all(hexList(hashes)) as ChunkLocation[];
    return rows.map((row) => (row.packId === null ? undefined : row));
  }

  /**
   * Records a sealed pack and its chunks in one transaction. A chunk another writer committed in
   * the meantime keeps its first location; the copy in this pack is dead bytes a repack reclaims.
   * With `relocate` (a repack) the chunks move to this pack instead.
   */
  commitPack(packId: string, bytes: number, chunks: PackedChunk[], options: { relocate?: boolean } = {}): void {
    const pack = this.db.prepare('INSERT INTO chunk_packs (id, bytes, created_at) VALUES (?, ?, ?)');
    // A repack moves chunks: their rows then point at the new pack, which is durable by now.
    const chunk = this.db.prepare(
      `INSERT OR ${options.relocate ? 'REPLACE' : 'IGNORE'} INTO chunks (hash, pack_id, offset, stored_length, raw_length) VALUES (?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      pack.run(packId, bytes, new Date().toISOString());
      for (const c of chunks) chunk.run(c.hash, packId, c.offset, c.storedLength, c.rawLength);
    })();
  }

  packIds(): Set<string> {
    return new Set(this.db.prepare('SELECT id FROM chunk_packs').pluck().all() as string[]);
  }

  chunkCount(): number {
    return this.db.prepare('SELECT count(*) FROM chunks').pluck().get() as number;
  }

  /** Packs named by chunk rows but with no pack row: must always be empty (checked by tests). */
  packsOfChunks(): Set<string> {
    return new Set(this.db.prepare('SELECT DISTINCT pack_id FROM chunks').pluck().all() as string[]);
  }
}

/** Hashes as the JSON array of hex strings the listed statement takes. */
function hexList(hashes: readonly Buffer[]): string {
  return JSON.stringify(hashes.map((hash) => hash.toString('hex')));
}
