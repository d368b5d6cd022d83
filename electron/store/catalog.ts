import type { Db } from './db';
import { insertSnapshotChunkList } from './chunks/snapshot-chunk-refs';
import { MANIFEST_COLUMNS, toManifestEntry, type ManifestRow } from './manifest-files';
import { VolsnapError } from '../../shared/errors';
import type {
  CaptureMode,
  ManifestEntry,
  Provenance,
  Snapshot,
  SnapshotStatus,
  SnapshotVolume,
  SpecialFiles,
  Trigger,
} from '../../shared/types';

interface SnapshotRow {
  id: string;
  name: string;
  note: string;
  workload_id: string;
  workload_name: string;
  created_at: string;
  trigger: string;
  mode: string;
  status: string;
  failure_reason: string | null;
  pinned: number;
  expires_at: string | null;
  provenance: string | null;
  special_files: string;
  engine_id: string | null;
  engine_name: string | null;
}

interface VolumeRow {
  snapshot_id: string;
  position: number;
  volume_name: string;
  owner: string;
  mount_destination: string;
  archive_file: string;
  size_bytes: number;
  stored_bytes: number;
  file_count: number;
  sha256: string;
  format: number;
  added_bytes: number | null;
  listing: string | null;
}

/** How a volume's archive_file is kept: 1, a zstd tar; 2, a tar layout whose file contents are chunks. */
export type StoreFormat = 1 | 2;

/** A volume as stored: the DTO plus where its archive lives (relative to the archive root). */
export interface StoredVolume extends SnapshotVolume {
  position: number;
  archiveFile: string;
  format: StoreFormat;
  /**
   * Format 2: the chunk bytes its capture added to the store. `storedBytes` stays the archive
   * or layout file's own size (what the usage queries add to the chunks); the snapshot's figures
   * shown to a user are the sum of both (`shownStoredBytes`).
   */
  addedBytes?: number;
  /**
   * What the capture's helper listed of the volume before reading it, keyed to the engine
   * (capture's `listingKey`); a capture that lists the same again reuses this volume unread.
   */
  listing?: string;
}

export interface NewSnapshot {
  id: string;
  name: string;
  note: string;
  workloadId: string;
  workloadName: string;
  createdAt: string;
  trigger: Trigger;
  mode: CaptureMode;
  expiresAt: string | null;
  provenance: Provenance;
}

/** The snapshot catalog: rows in SQLite, mapped to our DTOs. Knows nothing of archives or Docker. */
export class Catalog {
  constructor(private readonly db: Db) {}

  insertCapturing(snapshot: NewSnapshot): void {
    this.db
      .prepare(
        `INSERT INTO snapshots (id, name, note, workload_id, workload_name, created_at, trigger, mode,
           status, expires_at, provenance)
         VALUES (@id, @name, @note, @workloadId, @workloadName, @createdAt, @trigger, @mode,
           'capturing', @expiresAt, @provenance)`,
      )
      .run({ ...snapshot, provenance: JSON.stringify(snapshot.provenance) });
  }

  /**
   * Adds manifest rows of a snapshot that is still `capturing`. Callers insert in batches (one
   * transaction each) so a 100,000-file manifest never blocks the event loop for long; a crash
   * leaves rows of a snapshot the sweep marks failed.
   */
  insertManifest(id: string, position: number, entries: ManifestEntry[]): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO manifest_entries (snapshot_id, position, ${MANIFEST_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const e of entries) {
        insert.run(id, position, e.path, e.type, e.size, e.mode, e.uid, e.gid, e.mtime, e.sha256, e.linkTarget);
      }
    })();
  }

  /**
   * Copies a volume's manifest from an earlier snapshot, inside SQLite (20,000 rows: 25-45 ms,
   * against 35-70 ms inserted one by one, and nothing to bind). Only when `count` rows come across:
   * otherwise (the earlier snapshot deleted meanwhile, a tar that named a path twice) nothing is
   * kept and it returns false, for the caller to insert the entries it has.
   */
  copyManifest(id: string, position: number, from: { snapshotId: string; position: number }, count: number): boolean {
    const copy = this.db.prepare(
      `INSERT INTO manifest_entries (snapshot_id, position, ${MANIFEST_COLUMNS})
       SELECT ?, ?, ${MANIFEST_COLUMNS} FROM manifest_entries WHERE snapshot_id = ? AND position = ?`,
    );
    const copied = this.db.transaction(() => {
      const { changes } = copy.run(id, position, from.snapshotId, from.position);
      if (changes !== count) throw new ManifestCountDiffers();
    });
    try {
      copied();
      return true;
    } catch (error) {
      if (error instanceof ManifestCountDiffers) return false;
      throw error;
    }
  }

  /**
   * Adds chunk references (format 2) of a snapshot that is still `capturing`: merged into its one
   * sorted list. They keep the chunks from garbage collection from now on; `markFailed` drops them again.
   */
  insertChunkRefs(id: string, hashes: Buffer): void {
    this.db.transaction(() => insertSnapshotChunkList(this.db, id, hashes))();
  }

  /**
   * Records the volumes and flips the row to `ready`, in one transaction. Chunk references are
   * inserted before (`insertChunkRefs`), so a ready snapshot always has all of them.
   */
  markReady(id: string, volumes: StoredVolume[]): void {
    const insertVolume = this.db.prepare(
      `INSERT INTO snapshot_volumes (snapshot_id, position, volume_name, owner, mount_destination,
         archive_file, size_bytes, stored_bytes, file_count, sha256, format, added_bytes, listing)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const v of volumes) {
        insertVolume.run(
          id,
          v.position,
          v.volumeName,
          v.owner,
          v.mountDestination,
          v.archiveFile,
          v.sizeBytes,
          v.storedBytes,
          v.fileCount,
          v.sha256,
          v.format,
          v.addedBytes ?? null,
          v.listing ?? null,
        );
      }
      this.db.prepare(`UPDATE snapshots SET status = 'ready' WHERE id = ?`).run(id);
    })();
  }

  /** A failed capture keeps its row and reason, not its chunk references: its chunks may be collected. */
  markFailed(id: string, reason: string): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE snapshots SET status = 'failed', failure_reason = ? WHERE id = ?`).run(reason, id);
      this.db.prepare(`DELETE FROM snapshot_chunk_lists WHERE snapshot_id = ?`).run(id);
    })();
  }

  /** Per workload: newest ready snapshot and stored bytes of all ready ones, in one query. */
  workloadStats(engineId?: string): Map<string, { lastSnapshotAt: string; storedBytes: number }> {
    // With an engine: only its snapshots and those from before engines were recorded (as the lists
    // show), so a workload named like one on another engine does not show that engine's snapshots.
    const rows = this.db
      .prepare(
        `SELECT s.workload_id AS id, MAX(s.created_at) AS last, COALESCE(SUM(v.stored_bytes + COALESCE(v.added_bytes, 0)), 0) AS bytes
         FROM snapshots s LEFT JOIN snapshot_volumes v ON v.snapshot_id = s.id
         WHERE s.status = 'ready' ${engineId === undefined ? '' : 'AND (s.engine_id IS NULL OR s.engine_id = ?)'}
         GROUP BY s.workload_id`,
      )
      .all(...(engineId === undefined ? [] : [engineId])) as { id: string; last: string; bytes: number }[];
    return new Map(rows.map((r) => [r.id, { lastSnapshotAt: r.last, storedBytes: r.bytes }]));
  }

  nameTaken(name: string): boolean {
    return this.db.prepare(`SELECT 1 FROM snapshots WHERE name = ?`).get(name) !== undefined;
  }

  /** Snapshots newest first, all or of one workload. */
  list(workloadId?: string): Snapshot[] {
    const rows = (
      workloadId === undefined
        ? this.db.prepare(`SELECT * FROM snapshots ORDER BY created_at DESC, id DESC`).all()
        : this.db
            .prepare(`SELECT * FROM snapshots WHERE workload_id = ? ORDER BY created_at DESC, id DESC`)
            .all(workloadId)
    ) as SnapshotRow[];
    const volumes = this.volumesBySnapshot(workloadId);
    return rows.map((row) => toSnapshot(row, volumes.get(row.id) ?? []));
  }

  /** The newest `limit` ready snapshots of all workloads, without reading the whole catalog (the tray). */
  /** `engineId`: only that engine's snapshots and those from before engines were recorded (EngineScope's rule). */
  recentReady(limit: number, engineId?: string | null): Snapshot[] {
    const scoped = engineId !== undefined;
    const rows = this.db
      .prepare(
        `SELECT * FROM snapshots WHERE status = 'ready' ${scoped ? 'AND (engine_id IS NULL OR engine_id = ?)' : ''}
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(...(scoped ? [engineId, limit] : [limit])) as SnapshotRow[];
    return rows.map((row) => toSnapshot(row, this.storedVolumes(row.id)));
  }

  get(id: string): Snapshot | undefined {
    const row = this.db.prepare(`SELECT * FROM snapshots WHERE id = ?`).get(id) as SnapshotRow | undefined;
    return row && toSnapshot(row, this.storedVolumes(id));
  }

  /** Finds a snapshot by id, unique id prefix or name; `NotFound` or `InvalidInput` (ambiguous) otherwise. */
  resolve(ref: string): Snapshot {
    const exact = this.db.prepare(`SELECT id FROM snapshots WHERE id = ? OR name = ?`).all(ref, ref) as {
      id: string;
    }[];
    if (exact.length === 1) return this.get(exact[0]!.id)!;
    const byPrefix = /^[0-9a-f]{2,}$/.test(ref)
      ? (this.db.prepare(`SELECT id FROM snapshots WHERE id LIKE ? || '%' LIMIT 5`).all(ref) as { id: string }[])
      : [];
    if (byPrefix.length === 1) return this.get(byPrefix[0]!.id)!;
    if (byPrefix.length > 1 || exact.length > 1) {
      const ids = [...exact, ...byPrefix].map((r) => r.id).join(', ');
      throw new VolsnapError('InvalidInput', `"${ref}" matches several snapshots (${ids}); give more of the id.`);
    }
    if (/^[0-9a-f]$/.test(ref)) {
      throw new VolsnapError(
        'InvalidInput',
        `"${ref}" is too short to pick a snapshot by id: give at least 2 characters of the id, or the snapshot's name.`,
      );
    }
    throw new VolsnapError('NotFound', `No snapshot "${ref}". Run \`volsnap list\` to see the snapshots.`);
  }

  storedVolumes(id: string): StoredVolume[] {
    const rows = this.db
      .prepare(`SELECT * FROM snapshot_volumes WHERE snapshot_id = ? ORDER BY position`)
      .all(id) as VolumeRow[];
    return rows.map(toVolume);
  }

  manifest(id: string, position: number): ManifestEntry[] {
    const rows = this.db
      .prepare(`SELECT ${MANIFEST_COLUMNS} FROM manifest_entries WHERE snapshot_id = ? AND position = ? ORDER BY path`)
      .all(id, position) as ManifestRow[];
    return rows.map(toManifestEntry);
  }

  /** One entry of a volume's manifest (a restore's plan needs only the root's, `.`), or undefined. */
  manifestEntry(id: string, position: number, path: string): ManifestEntry | undefined {
    const row = this.db
      .prepare(`SELECT ${MANIFEST_COLUMNS} FROM manifest_entries WHERE snapshot_id = ? AND position = ? AND path = ?`)
      .get(id, position, path) as ManifestRow | undefined;
    return row && toManifestEntry(row);
  }

  update(id: string, fields: { name?: string; note?: string; pinned?: boolean }): void {
    if (fields.name !== undefined) {
      this.db.prepare(`UPDATE snapshots SET name = ? WHERE id = ?`).run(fields.name, id);
    }
    if (fields.note !== undefined) {
      this.db.prepare(`UPDATE snapshots SET note = ? WHERE id = ?`).run(fields.note, id);
    }
    if (fields.pinned !== undefined) {
      this.db.prepare(`UPDATE snapshots SET pinned = ? WHERE id = ?`).run(fields.pinned ? 1 : 0, id);
    }
  }

  /** Records whether restore may write special files of this snapshot (imports set `refused` unless allowed). */
  setSpecialFiles(id: string, value: SpecialFiles): void {
    this.db.prepare(`UPDATE snapshots SET special_files = ? WHERE id = ?`).run(value, id);
  }

  remove(id: string): void {
    this.db.prepare(`DELETE FROM snapshots WHERE id = ?`).run(id);
  }

  idsWithStatus(status: SnapshotStatus): string[] {
    return (this.db.prepare(`SELECT id FROM snapshots WHERE status = ?`).all(status) as { id: string }[]).map(
      (r) => r.id,
    );
  }

  allIds(): Set<string> {
    return new Set((this.db.prepare(`SELECT id FROM snapshots`).all() as { id: string }[]).map((r) => r.id));
  }

  private volumesBySnapshot(workloadId?: string): Map<string, StoredVolume[]> {
    const rows = (
      workloadId === undefined
        ? this.db.prepare(`SELECT * FROM snapshot_volumes ORDER BY snapshot_id, position`).all()
        : this.db
            .prepare(
              `SELECT v.* FROM snapshot_volumes v JOIN snapshots s ON s.id = v.snapshot_id
               WHERE s.workload_id = ? ORDER BY v.snapshot_id, v.position`,
            )
            .all(workloadId)
    ) as VolumeRow[];
    const byId = new Map<string, StoredVolume[]>();
    for (const row of rows) {
      const list = byId.get(row.snapshot_id) ?? [];
      list.push(toVolume(row));
      byId.set(row.snapshot_id, list);
    }
    return byId;
  }
}

function toVolume(row: VolumeRow): StoredVolume {
  return {
    position: row.position,
    archiveFile: row.archive_file,
    format: row.format as StoreFormat,
    volumeName: row.volume_name,
    owner: row.owner,
    mountDestination: row.mount_destination,
    sizeBytes: row.size_bytes,
    storedBytes: row.stored_bytes,
    fileCount: row.file_count,
    sha256: row.sha256,
    ...(row.added_bytes === null ? {} : { addedBytes: row.added_bytes }),
    ...(row.listing === null ? {} : { listing: row.listing }),
  };
}

/** What a volume cost the store when it was captured: its file, and (format 2) the chunks it added. */
function shownStoredBytes(v: { storedBytes: number; addedBytes?: number }): number {
  return v.storedBytes + (v.addedBytes ?? 0);
}

function toSnapshot(row: SnapshotRow, volumes: StoredVolume[]): Snapshot {
  const sum = (pick: (v: StoredVolume) => number) => volumes.reduce((total, v) => total + pick(v), 0);
  return {
    id: row.id,
    name: row.name,
    note: row.note,
    workloadId: row.workload_id,
    workloadName: row.workload_name,
    createdAt: row.created_at,
    trigger: row.trigger as Trigger,
    mode: row.mode as CaptureMode,
    status: row.status as SnapshotStatus,
    failureReason: row.failure_reason,
    pinned: row.pinned === 1,
    expiresAt: row.expires_at,
    sizeBytes: sum((v) => v.sizeBytes),
    storedBytes: sum(shownStoredBytes),
    fileCount: sum((v) => v.fileCount),
    volumes: volumes.map((v) => {
      const { position: _p, archiveFile: _a, addedBytes: _b, listing: _l, ...dto } = v;
      return { ...dto, storedBytes: shownStoredBytes(v) };
    }),
    provenance: row.provenance === null ? null : (JSON.parse(row.provenance) as Provenance),
    // Anything but an explicit 'allowed' refuses: a hand-edited row must not widen what restore writes.
    specialFiles: row.special_files === 'allowed' ? 'allowed' : ('refused' satisfies SpecialFiles),
    engineId: row.engine_id,
    engineName: row.engine_name,
  };
}

/** Rolls back a manifest copy that did not bring every row. */
class ManifestCountDiffers extends Error {}
