import type { Statement } from 'better-sqlite3';
import type { Db } from './db';
import type { EntryType, ManifestEntry } from '../../shared/types';

/** A manifest_entries row as selected by MANIFEST_COLUMNS. */
export interface ManifestRow {
  path: string;
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  sha256: string | null;
  link_target: string | null;
}

export const MANIFEST_COLUMNS = 'path, type, size, mode, uid, gid, mtime, sha256, link_target';
const KEY = 'snapshot_id = ? AND position = ?';

/**
 * Reads parts of one stored manifest (one volume of one snapshot) without loading all of it: a
 * folder's children and a subtree are key ranges on the manifest's primary key (snapshot, position,
 * path), since every path under `a/b` sorts between `a/b/` and `a/b0` ('0' follows '/').
 */
export class ManifestFiles {
  private readonly one: Statement<[string, number, string], ManifestRow>;
  private readonly rootChildren: Statement<[string, number], ManifestRow>;
  private readonly children: Statement<[string, number, string, string, number], ManifestRow>;
  private readonly subtree: Statement<[string, number, string, string, string], ManifestRow>;
  private readonly byName: Statement<[string, number, string, number], ManifestRow>;

  constructor(private readonly db: Db) {
    this.one = db.prepare(`SELECT ${MANIFEST_COLUMNS} FROM manifest_entries WHERE ${KEY} AND path = ?`);
    this.rootChildren = db.prepare(
      `SELECT ${MANIFEST_COLUMNS} FROM manifest_entries WHERE ${KEY} AND path <> '.' AND instr(path, '/') = 0 ORDER BY path`,
    );
    this.children = db.prepare(
      `SELECT ${MANIFEST_COLUMNS} FROM manifest_entries WHERE ${KEY} AND path >= ? AND path < ?
         AND instr(substr(path, ? + 1), '/') = 0 ORDER BY path`,
    );
    this.subtree = db.prepare(
      `SELECT ${MANIFEST_COLUMNS} FROM manifest_entries WHERE ${KEY} AND (path = ? OR (path >= ? AND path < ?)) ORDER BY path`,
    );
    // The name is the part after the last '/': matched case-insensitively, as a search box does.
    this.byName = db.prepare(
      `SELECT ${MANIFEST_COLUMNS} FROM manifest_entries WHERE ${KEY} AND path <> '.'
         AND instr(lower(replace(path, rtrim(path, replace(path, '/', '')), '')), lower(?)) > 0
       ORDER BY path LIMIT ?`,
    );
  }

  /**
   * The sha256 of each regular file larger than `largerThan` bytes in one volume of a snapshot, by
   * path (a re-capture checks reuse against it; a file of one chunk has that chunk's hash).
   */
  fileHashes(snapshotId: string, position: number, largerThan: number): Map<string, string> {
    const rows = this.db
      .prepare(
        `SELECT path, sha256 FROM manifest_entries WHERE ${KEY} AND type = 'file' AND size > ? AND sha256 IS NOT NULL`,
      )
      .all(snapshotId, position, largerThan) as { path: string; sha256: string }[];
    return new Map(rows.map((row) => [row.path, row.sha256]));
  }

  entry(snapshotId: string, position: number, path: string): ManifestEntry | undefined {
    const row = this.one.get(snapshotId, position, path);
    return row && toManifestEntry(row);
  }

  /** The direct children of folder `dir` (`.` for the volume root), by path. */
  childrenOf(snapshotId: string, position: number, dir: string): ManifestEntry[] {
    if (dir === '.') return this.rootChildren.all(snapshotId, position).map(toManifestEntry);
    const prefix = `${dir}/`;
    return this.children.all(snapshotId, position, prefix, `${dir}0`, prefix.length).map(toManifestEntry);
  }

  /** `path` and everything under it, parents before children. */
  subtreeOf(snapshotId: string, position: number, path: string): ManifestEntry[] {
    if (path === '.') return this.subtree.all(snapshotId, position, '.', '', '\u{10FFFF}').map(toManifestEntry);
    return this.subtree.all(snapshotId, position, path, `${path}/`, `${path}0`).map(toManifestEntry);
  }

  /** Entries whose own name contains `query` (case-insensitive), at most `limit`. */
  searchByName(snapshotId: string, position: number, query: string, limit: number): ManifestEntry[] {
    return this.byName.all(snapshotId, position, query, limit).map(toManifestEntry);
  }
}

export function toManifestEntry(r: ManifestRow): ManifestEntry {
  return {
    path: r.path,
    type: r.type as EntryType,
    size: r.size,
    mode: r.mode,
    uid: r.uid,
    gid: r.gid,
    mtime: r.mtime,
    sha256: r.sha256,
    linkTarget: r.link_target,
  };
}
