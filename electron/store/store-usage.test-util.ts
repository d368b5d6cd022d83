import { createHash } from 'node:crypto';
import { openDb } from './db';
import { insertSnapshotChunks } from './chunks/snapshot-chunk-refs';

const KB = 1024;
const hash = (label: string) => createHash('sha256').update(label).digest();

/**
 * A catalog as the capture path leaves it, for the usage CLI test and e2e/usage.spec.ts: `web` has
 * an old format 1 snapshot (a 300 KB archive) and two format 2 snapshots sharing a 2 MB chunk
 * (`web-2` pinned); `db` has one snapshot with its own 1 MB chunk; one 3200 KB pack holds them.
 * Totals: 3540 KB on disk, 5560 KB alone, deduplication saves 2020 KB.
 */
export function seedUsageStore(dataDir: string): void {
  const db = openDb(dataDir);
  try {
    db.prepare(`INSERT INTO chunk_packs (id, bytes, created_at) VALUES ('p1', ?, '2026-01-01')`).run(3200 * KB);
    const chunk = (label: string, bytes: number) =>
      db
        .prepare(`INSERT INTO chunks (hash, pack_id, offset, stored_length, raw_length) VALUES (?, 'p1', 0, ?, ?)`)
        .run(hash(label), bytes, bytes);
    chunk('shared', 2048 * KB);
    chunk('web-3-own', 100 * KB);
    chunk('db-own', 1024 * KB);
    const snapshot = (id: string, workload: string, day: number, format: 1 | 2, volumeKb: number, chunks: string[]) => {
      db.prepare(
        `INSERT INTO snapshots (id, name, workload_id, workload_name, created_at, trigger, mode, status, pinned)
         VALUES (?, ?, ?, ?, ?, 'manual', 'pause', 'ready', ?)`,
      ).run(id, id, `compose:${workload}`, workload, `2026-11-0${day}T10:00:00.000Z`, id === 'web-2' ? 1 : 0);
      db.prepare(
        `INSERT INTO snapshot_volumes (snapshot_id, position, volume_name, owner, mount_destination, archive_file,
           size_bytes, stored_bytes, file_count, sha256, format) VALUES (?, 0, 'v', 'c', '/v', 'v.x', 0, ?, 0, '', ?)`,
      ).run(id, volumeKb * KB, format);
      insertSnapshotChunks(db, id, chunks.map(hash));
    };
    snapshot('web-1', 'web', 1, 1, 300, []);
    snapshot('web-2', 'web', 2, 2, 10, ['shared']);
    snapshot('web-3', 'web', 3, 2, 10, ['shared', 'web-3-own']);
    snapshot('db-1', 'db', 4, 2, 20, ['db-own']);
  } finally {
    db.close();
  }
}
