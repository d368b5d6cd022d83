import { assertNotSpecial, assertOwnNameFree, parentsOf, RefusedEntry, rootNotDirectory } from './entry-check';
import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/**
 * Checks a volume's manifest (from SQLite, so before anything is stopped) against the rules the
 * entry checker applies to the archive: the root `.` is a directory, every path is relative with
 * no `.`, `..` or empty parts, every parent of an entry is a directory in the manifest (so no entry
 * lies beneath a link or file), hardlinks point at listed files, nothing is named like Volsnap's
 * own folders, and special files only where the snapshot allows them. A forged manifest is thus
 * refused before any downtime; the archive is still checked entry by entry while staging.
 * Throws RefusedEntry with the first problem.
 */
export function checkManifest(entries: ManifestEntry[], specialFiles: SpecialFiles): void {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const root = byPath.get('.');
  if (root?.type !== 'dir') throw new RefusedEntry(rootNotDirectory(root?.type ?? 'missing'));
  for (const entry of entries) {
    if (specialFiles === 'refused') assertNotSpecial(entry);
    if (entry.path === '.') continue;
    assertPlainPath(entry.path);
    assertOwnNameFree(entry.path);
    for (const parent of parentsOf(entry.path)) {
      const type = byPath.get(parent)?.type;
      if (type === 'dir') continue;
      throw new RefusedEntry(
        type === undefined
          ? `${entry.path} lies under ${parent}, which the manifest does not list`
          : `${entry.path} lies under ${parent}, which is a ${type}, not a directory`,
      );
    }
    if (entry.type === 'hardlink') {
      const target = entry.linkTarget ?? '';
      if (byPath.get(target)?.type !== 'file')
        throw new RefusedEntry(`${entry.path} is a hardlink to ${target}, which is not a file of this volume`);
    }
  }
}

function assertPlainPath(path: string): void {
  if (path.startsWith('/')) throw new RefusedEntry(`${path} is an absolute path`);
  const parts = path.split('/');
  if (parts.includes('..')) throw new RefusedEntry(`${path} contains ".."`);
  if (parts.some((p) => p === '' || p === '.')) throw new RefusedEntry(`${path} is not a plain relative path`);
}
