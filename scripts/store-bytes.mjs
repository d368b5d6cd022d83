// What a store holds besides its packs, for the benches that report stored bytes: the catalog's
// pages in use. Each snapshot adds rows there (a manifest row per file, a reference per chunk),
// which count as much as its layout file does.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The catalog's pages in use after a checkpoint (free pages not counted); 0 before the store exists. Call with no volsnap process running. */
export function catalogBytes(dataDir) {
  const file = path.join(dataDir, 'volsnap.db');
  if (!existsSync(file)) return 0;
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) - db.pragma('freelist_count', { simple: true });
    return pages * db.pragma('page_size', { simple: true });
  } finally {
    db.close();
  }
}
