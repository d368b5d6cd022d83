import type { Db } from './db';
import type { ImportProvenance, Provenance } from '../../shared/types';

/**
 * Marks a snapshot that `volsnap pull` just stored: trigger `pull`, and its import provenance
 * names the image (reference and digest). One transaction; the snapshot is already `ready`.
 */
export function markPulled(db: Db, snapshotId: string, image: { reference: string; digest: string | null }): void {
  db.transaction(() => {
    const row = db.prepare(`SELECT provenance FROM snapshots WHERE id = ?`).get(snapshotId) as
      { provenance: string | null } | undefined;
    if (!row) return;
    const provenance = (row.provenance ? JSON.parse(row.provenance) : {}) as Partial<Provenance>;
    const imported: ImportProvenance = {
      fileSha256: image.digest?.replace(/^sha256:/, '') ?? '',
      importedAt: new Date().toISOString(),
      originalSnapshotId: null,
      originEngine: null,
      ...provenance.imported,
      source: 'registry',
      fileName: image.reference,
      image,
    };
    db.prepare(`UPDATE snapshots SET trigger = 'pull', provenance = ? WHERE id = ?`).run(
      JSON.stringify({ engineVersion: '', engineHost: '', containers: [], mounts: [], ...provenance, imported }),
      snapshotId,
    );
  })();
}
