import Database from 'better-sqlite3';
import path from 'node:path';

/** Opens a store's catalog file directly (read-only unless asked), for tests that check its rows. */
export function withStoreDb<T>(store: string, use: (db: Database.Database) => T, readonly = true): T {
  const db = new Database(path.join(store, 'volsnap.db'), { readonly });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** Bytes of every pack the store's index lists. */
export function packBytesOf(store: string): number {
  return withStoreDb(
    store,
    (db) => db.prepare('SELECT COALESCE(SUM(bytes), 0) FROM chunk_packs').pluck().get() as number,
  );
}
