import type { Catalog, NewSnapshot, StoredVolume } from './catalog';
import type { Db } from './db';
import type { EngineIdentity } from './engine-registry';
import type { ManifestEntry, SpecialFiles } from '../../shared/types';

/** An imported snapshot as it is recorded: checked, its archives already in place. */
export interface ImportedSnapshot {
  snapshot: NewSnapshot;
  specialFiles: SpecialFiles;
  engine: EngineIdentity;
  volumes: { volume: StoredVolume; entries: ManifestEntry[] }[];
}

/**
 * Records an imported snapshot as `ready` in one transaction: row, engine, special-files choice,
 * manifests and volumes appear together or not at all, so no reader ever sees a half import.
 * (One transaction blocks the event loop for a large manifest, about 3 ms per 1,000 rows: an
 * import is rare and a partial row would be worse.)
 */
export function insertImported(db: Db, catalog: Catalog, imported: ImportedSnapshot): void {
  const { snapshot, engine } = imported;
  db.transaction(() => {
    catalog.insertCapturing(snapshot);
    db.prepare(`UPDATE snapshots SET engine_id = ?, engine_name = ?, special_files = ? WHERE id = ?`).run(
      engine.id,
      engine.name,
      imported.specialFiles,
      snapshot.id,
    );
    for (const { volume, entries } of imported.volumes) catalog.insertManifest(snapshot.id, volume.position, entries);
    catalog.markReady(
      snapshot.id,
      imported.volumes.map((v) => v.volume),
    );
  })();
}
