import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Header, Pax } from 'tar';
import { compress } from 'zstd-napi';
import type { Services } from '../index';
import type { ManifestEntry } from '../../../shared/types';

/**
 * Test-only forger: what a local process (or, later, an import) could hand restore. It rewrites one
 * volume of a stored snapshot as a PAX tar + zstd archive, records the archive's sha256 in
 * snapshot_volumes and replaces the manifest rows so that archive, checksum and manifest all agree
 * (or, with `manifest`, disagree exactly as a test wants). `undo` puts the original back.
 */

/** One forged entry; `path` is relative to the volume root (`.` is the root itself). */
export interface ForgedEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO' | 'CharacterDevice';
  body?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Symlinks: the raw target. Hardlinks: the target's path relative to the root. */
  linkpath?: string;
}

export interface Forgery {
  undo(): void;
}

const TYPES: Record<ForgedEntry['type'], ManifestEntry['type']> = {
  File: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  FIFO: 'other',
  CharacterDevice: 'other',
};

export function forgeVolume(
  services: Services,
  options: {
    snapshotId: string;
    position: number;
    entries: ForgedEntry[];
    /** Changes the manifest rows after they were derived from the entries. */
    manifest?: (rows: ManifestEntry[]) => ManifestEntry[];
  },
): Forgery {
  const { catalog, files, db } = services;
  const { snapshotId, position } = options;
  const stored = catalog.storedVolumes(snapshotId).find((v) => v.position === position);
  if (!stored) throw new Error(`snapshot ${snapshotId} has no volume at position ${position}`);
  const file = files.pathOf(snapshotId, stored.archiveFile);
  const original = {
    bytes: readFileSync(file),
    sha: stored.sha256,
    format: stored.format,
    rows: catalog.manifest(snapshotId, position),
  };
  const bytes = compress(tarOf(stored.volumeName, options.entries));
  const rows = options.entries.map(manifestRow);
  // The forgery is a format 1 archive (a store written by an older release), whatever capture wrote.
  const setVolume = (sha: string, format: number, manifest: ManifestEntry[]) => {
    db.prepare(`UPDATE snapshot_volumes SET sha256 = ?, format = ? WHERE snapshot_id = ? AND position = ?`).run(
      sha,
      format,
      snapshotId,
      position,
    );
    db.prepare(`DELETE FROM manifest_entries WHERE snapshot_id = ? AND position = ?`).run(snapshotId, position);
    catalog.insertManifest(snapshotId, position, manifest);
  };
  writeFileSync(file, bytes);
  setVolume(createHash('sha256').update(bytes).digest('hex'), 1, options.manifest ? options.manifest(rows) : rows);
  return {
    undo() {
      writeFileSync(file, original.bytes);
      setVolume(original.sha, original.format, original.rows);
    },
  };
}

function manifestRow(e: ForgedEntry): ManifestEntry {
  const type = TYPES[e.type];
  const body = Buffer.from(e.body ?? '');
  return {
    path: e.path,
    type,
    size: type === 'file' ? body.length : 0,
    mode: e.mode ?? (type === 'dir' ? 0o755 : 0o644),
    uid: e.uid ?? 0,
    gid: e.gid ?? 0,
    mtime: 1_700_000_000,
    sha256: type === 'file' ? createHash('sha256').update(body).digest('hex') : null,
    linkTarget: type === 'symlink' || type === 'hardlink' ? (e.linkpath ?? '') : null,
  };
}

/** A PAX tar laid out like the Engine's: everything under `<root>/`, a PAX record wherever ustar falls short. */
function tarOf(root: string, entries: ForgedEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const row = manifestRow(e);
    const base = e.path === '.' ? root : `${root}/${e.path}`;
    const fields = {
      path: e.type === 'Directory' ? `${base}/` : base,
      type: e.type,
      size: row.size,
      mode: row.mode,
      uid: row.uid,
      gid: row.gid,
      mtime: new Date(row.mtime * 1000),
      linkpath: e.type === 'Link' ? `${root}/${e.linkpath ?? ''}` : e.linkpath,
      devmaj: e.type === 'CharacterDevice' ? 1 : 0,
      devmin: e.type === 'CharacterDevice' ? 3 : 0,
    };
    const header = new Header(fields);
    if (header.encode()) blocks.push(new Pax({ ...fields, mtime: fields.mtime }).encode());
    blocks.push(header.block!);
    if (row.size > 0) blocks.push(Buffer.from(e.body ?? ''), Buffer.alloc((512 - (row.size % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
