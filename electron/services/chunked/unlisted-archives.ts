import { readdir, rm } from 'node:fs/promises';
import type { ArchiveFiles } from '../../store/archive-files';
import type { Catalog } from '../../store/catalog';
import { crashPoint } from '../restore/crash';

/**
 * Removes files in ready snapshots' folders that none of their volumes names: a format 1 archive
 * the migration switched away from while a reader held the snapshot, or a layout committed just
 * before a kill. Runs under the store's maintenance lock (no migration or capture is between its
 * rename and its row) and skips snapshots a live job reads. Returns how many files went.
 */
export async function removeUnlistedArchives(deps: {
  files: ArchiveFiles;
  catalog: Pick<Catalog, 'idsWithStatus' | 'storedVolumes'>;
  heldSnapshots: () => Set<string>;
}): Promise<number> {
  const held = deps.heldSnapshots();
  let removed = 0;
  for (const id of deps.catalog.idsWithStatus('ready')) {
    if (held.has(id)) continue;
    const listed = new Set(deps.catalog.storedVolumes(id).map((v) => v.archiveFile));
    const names = await readdir(deps.files.dirOf(id)).catch(() => [] as string[]);
    // Temp files (dot-named) are the sweep's; only whole files no row names go here.
    for (const name of names.filter((n) => !n.startsWith('.') && !listed.has(n))) {
      await rm(deps.files.pathOf(id, name), { force: true });
      crashPoint('gc-unlisted-removed');
      removed++;
    }
  }
  return removed;
}
