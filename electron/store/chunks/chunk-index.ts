import type { Db } from '../db';

/**
 * Every record in a pack is `hash (32 bytes) | stored length (u32 BE) | zstd frame`, so the index
 * can be rebuilt and verified from the packs alone; the index points at the frame.
 */
export const PACK_RECORD_HEADER = 36;

/** Hashes per query of `lookupMany` (well under SQLite's limit on bound parameters). */
const LOOKUP_BATCH = 500;

/** Where one chunk's compressed bytes live. */
export interface ChunkLocation {
  packId: string;
  /** Byte offset of the chunk's zstd frame inside the pack file. */
  offset: number;
  storedLength: number;
  rawLength: number;
}

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
  private fullBatchStatement: ReturnType<ChunkIndex['lookupIn']> | undefined;

  constructor(private readonly db: Db) {
    this.hasStatement = db.prepare('SELECT 1 FROM chunks WHERE hash = ?').pluck();
    this.lookupStatement = db.prepare(
      'SELECT pack_id AS packId, offset, stored_length AS storedLength, raw_length AS rawLength FROM chunks WHERE hash = ?',
    );
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

  /** Where each of `hashes` is (undefined for a chunk the index lacks), in one query per LOOKUP_BATCH. */
  lookupMany(hashes: readonly Buffer[]): (ChunkLocation | undefined)[] {
    const found = new Map<string, ChunkLocation>();
    for (let i = 0; i < hashes.length; i += LOOKUP_BATCH) {
      const batch = hashes.slice(i, i + LOOKUP_BATCH);
      // Full batches share one prepared statement; only the last, shorter one needs its own.
      const statement =
        batch.length === LOOKUP_BATCH
          ? (this.fullBatchStatement ??= this.lookupIn(LOOKUP_BATCH))
          : this.lookupIn(batch.length);
      const rows = statement.all(...batch) as (ChunkLocation & { hash: Buffer })[];
      for (const { hash, ...where } of rows) found.set(hash.toString('base64'), where);
    }
    return hashes.map((hash) => found.get(hash.toString('base64')));
  }

  private lookupIn(count: number) {
    return this.db.prepare(
      `SELECT hash, pack_id AS packId, offset, stored_length AS storedLength, raw_length AS rawLength
       FROM chunks WHERE hash IN (${Array.from({ length: count }, () => '?').join(',')})`,
    );
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
