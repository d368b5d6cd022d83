import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db';
import { StoreUsageTable } from './store-usage';
import { insertSnapshotChunks } from './chunks/snapshot-chunk-refs';
import { tempDir } from '../../test/engine';

const hash = (label: string) => createHash('sha256').update(label).digest();

/** Rows as the capture path writes them: a snapshot, its volumes, its chunks and their pack. */
function addSnapshot(
  db: Db,
  id: string,
  options: { workload?: string; format?: 1 | 2; volumeBytes: number; chunks?: [string, number][] },
): void {
  db.prepare(
    `INSERT INTO snapshots (id, name, workload_id, workload_name, created_at, trigger, mode, status)
     VALUES (?, ?, ?, ?, ?, 'manual', 'pause', 'ready')`,
  ).run(id, id, options.workload ?? 'compose:app', 'app', new Date().toISOString());
  db.prepare(
    `INSERT INTO snapshot_volumes (snapshot_id, position, volume_name, owner, mount_destination, archive_file,
       size_bytes, stored_bytes, file_count, sha256, format) VALUES (?, 0, 'data', 'c', '/data', 'data.x', 0, ?, 0, '', ?)`,
  ).run(id, options.volumeBytes, options.format ?? 2);
  for (const [label, length] of options.chunks ?? []) {
    db.prepare(
      `INSERT OR IGNORE INTO chunks (hash, pack_id, offset, stored_length, raw_length) VALUES (?, 'p1', 0, ?, ?)`,
    ).run(hash(label), length, length * 2);
  }
  insertSnapshotChunks(
    db,
    id,
    (options.chunks ?? []).map(([label]) => hash(label)),
  );
}

describe('store usage (a real catalog file)', () => {
  const dir = tempDir('volsnap-usage-');
  let db: Db;
  afterAll(() => dir.remove());
  beforeEach(() => {
    db?.close();
    db = openDb(`${dir.path}/${Math.random().toString(36).slice(2)}`);
    db.prepare(`INSERT INTO chunk_packs (id, bytes, created_at) VALUES ('p1', 10000, '2026-01-01')`).run();
  });

  it('counts shared chunks once: deleting either of two sharing snapshots frees only its own chunks', () => {
    addSnapshot(db, 'a', {
      volumeBytes: 10,
      chunks: [
        ['shared', 1000],
        ['only-a', 300],
      ],
    });
    addSnapshot(db, 'b', {
      volumeBytes: 20,
      chunks: [
        ['shared', 1000],
        ['only-b', 50],
      ],
    });
    const usage = new StoreUsageTable(db);
    const byId = new Map(usage.breakdown().snapshots.map((s) => [s.snapshotId, s]));
    expect(byId.get('a')).toMatchObject({ volumeBytes: 10, chunkBytes: 1300, exclusiveChunkBytes: 300 });
    expect(byId.get('b')).toMatchObject({ volumeBytes: 20, chunkBytes: 1050, exclusiveChunkBytes: 50 });
    expect(usage.wouldFree('a')).toBe(310);
    expect(usage.wouldFree('b')).toBe(70);
    // Both belong to one workload: deleting it frees every chunk of the two.
    expect(usage.breakdown().workloadExclusiveChunkBytes.get('compose:app')).toBe(1350);
    expect(usage.totals()).toEqual({ volumeBytes: 30, packBytes: 10000, chunkBytes: 1350, referencedChunkBytes: 1350 });
    // Deleted, its own chunk rows stay until gc; they no longer count as snapshot data.
    db.prepare(`DELETE FROM snapshots WHERE id = 'a'`).run();
    expect(usage.totals()).toMatchObject({ volumeBytes: 20, chunkBytes: 1350, referencedChunkBytes: 1050 });
  });

  it('a chunk shared with another workload is freed by neither workload alone', () => {
    addSnapshot(db, 'a', {
      workload: 'compose:one',
      volumeBytes: 1,
      chunks: [
        ['shared', 1000],
        ['mine', 7],
      ],
    });
    addSnapshot(db, 'b', { workload: 'compose:two', volumeBytes: 1, chunks: [['shared', 1000]] });
    const perWorkload = new StoreUsageTable(db).breakdown().workloadExclusiveChunkBytes;
    expect(perWorkload.get('compose:one')).toBe(7);
    expect(perWorkload.get('compose:two')).toBeUndefined();
  });

  it('a format 1 snapshot frees its archive, and the last user of a chunk frees it', () => {
    addSnapshot(db, 'old', { format: 1, volumeBytes: 4242 });
    addSnapshot(db, 'last', { volumeBytes: 5, chunks: [['solo', 600]] });
    const usage = new StoreUsageTable(db);
    expect(usage.wouldFree('old')).toBe(4242);
    expect(usage.breakdown().snapshots.find((s) => s.snapshotId === 'old')).toMatchObject({ chunkBytes: 0 });
    expect(usage.wouldFree('last')).toBe(605);
    // Once the other user is gone (delete cascades its chunk list), a shared chunk is exclusive.
    addSnapshot(db, 'twin', { volumeBytes: 0, chunks: [['solo', 600]] });
    expect(usage.wouldFree('last')).toBe(5);
    db.prepare(`DELETE FROM snapshots WHERE id = 'twin'`).run();
    expect(usage.wouldFree('last')).toBe(605);
  });

  it('answers 20 snapshots × 30,000 chunks, shared and not, in one walk of their lists', () => {
    const insertChunk = db.prepare(
      `INSERT INTO chunks (hash, pack_id, offset, stored_length, raw_length) VALUES (?, 'p1', 0, 100, 200)`,
    );
    const common = Array.from({ length: 29_000 }, (_, c) => hash(`common-${c}`));
    db.transaction(() => {
      for (let s = 0; s < 20; s++) {
        addSnapshot(db, `s${s}`, { volumeBytes: 1 });
        // 29,000 chunks shared by all, 1,000 new ones per snapshot (what a re-capture after small changes looks like).
        const list: Buffer[] = [];
        for (let c = 0; c < 30_000; c++) {
          const chunk = common[c] ?? hash(`s${s}-${c}`);
          if (s === 0 || c >= 29_000) insertChunk.run(chunk);
          list.push(chunk);
        }
        insertSnapshotChunks(db, `s${s}`, list);
      }
    })();
    const usage = new StoreUsageTable(db);
    expect(usage.wouldFree('s3')).toBe(1 + 1000 * 100);
    const rows = usage.breakdown().snapshots;
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.chunkBytes === 30_000 * 100 && r.exclusiveChunkBytes === 1000 * 100)).toBe(true);
    expect(usage.breakdown().workloadExclusiveChunkBytes.get('compose:app')).toBe((29_000 + 20 * 1000) * 100);
  }, 600_000);
});
