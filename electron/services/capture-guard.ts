import { VolsnapError } from '../../shared/errors';
import type { ManifestEntry } from '../../shared/types';

/** A restore's own folders at a volume root: `.volsnap-stage-<job>/`, `.volsnap-aside-<job>[.partial]/`. */
const RESTORE_FOLDER = /^\.volsnap-(stage|aside)-[^/]*(\/|$)/;

/**
 * Refuses a capture of a volume that holds a restore's own folders at its root: an unfinished
 * restore (of this store or another one on the engine) is in the middle of swapping that volume,
 * so it holds neither the old contents nor the snapshot's. Excluding the folders would store that
 * mix as `ready`; the user must finish the restore first.
 */
export function assertNoRestoreFolders(volumeName: string, entries: ManifestEntry[]): void {
  const found = entries.find((e) => RESTORE_FOLDER.test(e.path));
  if (!found) return;
  const folder = found.path.split('/')[0]!;
  const job = /^\.volsnap-(?:stage|aside)-([^./]+)/.exec(folder)?.[1] ?? '?';
  throw new VolsnapError(
    'Conflict',
    `Volume ${volumeName} holds ${folder}/, left by an unfinished restore (job ${job}), so it is half-way between two versions and was not captured. Run \`volsnap recover\` with the store that ran that restore (its --data-dir; \`volsnap jobs\` there lists job ${job}), then capture again.`,
  );
}
