import { TAR_ENTRY_TYPES } from '../manifest-tap';
import type { EntryType, ManifestEntry, SpecialFiles } from '../../../shared/types';

/** An archive entry that may be staged, with its paths rewritten under the stage dir. */
export interface CheckedEntry {
  manifest: ManifestEntry;
  /** Path inside the target volume: `<stage dir>/<relative path>`. */
  stagePath: string;
  /** Hardlinks only: their target, rewritten the same way. */
  stageLinkpath: string | null;
}

/** Why an archive entry was refused; the stage turns it into an `Integrity` error. */
export class RefusedEntry extends Error {}

/** What the checker reads of a tar entry. */
export interface ArchiveEntry {
  path: string;
  type: string;
  size: number;
  mode?: number;
  uid?: number;
  gid?: number;
  linkpath?: string;
}

/** What an archive is checked against. */
export interface EntryRules {
  /** The archive's top-level folder (the snapshot's volume name). */
  rootName: string;
  manifest: Map<string, ManifestEntry>;
  stageDir: string;
  /** `refused`: devices, FIFOs, setuid/setgid bits and control characters in names are refused. */
  specialFiles: SpecialFiles;
}

/**
 * Checks each archive entry, in archive order, before a single byte of it is sent to the Engine:
 * no absolute paths, no `..`, nothing outside the volume's root folder; the root `.` comes first
 * and is a directory, and every parent of an entry is a directory staged before it (never a
 * symlink, hardlink or file, so nothing is written through a link); no duplicates, nothing the
 * manifest does not list (with the same type, size, permissions, owner and link target), nothing
 * named like Volsnap's own folders, no special files unless the snapshot allows them. So what is
 * staged is what the manifest describes even if the archive changed after the preflight hashed
 * it. The file hash is checked by the stage once its data streamed.
 */
export class EntryChecker {
  private readonly seen = new Map<string, EntryType>();

  constructor(private readonly rules: EntryRules) {}

  check(entry: ArchiveEntry): CheckedEntry {
    const rel = this.relative(entry.path);
    const type = TAR_ENTRY_TYPES[entry.type] ?? 'other';
    if (this.seen.has(rel)) throw new RefusedEntry(`${rel} appears twice in the archive`);
    this.assertParentsStaged(rel);
    if (rel === '.' && type !== 'dir') throw new RefusedEntry(rootNotDirectory(type));
    const listed = this.rules.manifest.get(rel);
    if (!listed) throw new RefusedEntry(`${rel} is not in the snapshot's manifest`);
    if (listed.type !== type)
      throw new RefusedEntry(`${rel} is a ${type} in the archive but a ${listed.type} in the manifest`);
    if (type === 'file' && listed.size !== entry.size)
      throw new RefusedEntry(`${rel} has a different size than in the manifest`);
    if (((entry.mode ?? 0) & 0o7777) !== listed.mode)
      throw new RefusedEntry(`${rel} has other permissions than in the manifest`);
    if ((entry.uid ?? 0) !== listed.uid || (entry.gid ?? 0) !== listed.gid)
      throw new RefusedEntry(`${rel} has another owner than in the manifest`);
    assertOwnNameFree(rel);
    if (this.rules.specialFiles === 'refused') assertNotSpecial(listed);
    let stageLinkpath: string | null = null;
    if (type === 'symlink') {
      if ((entry.linkpath ?? '') !== listed.linkTarget)
        throw new RefusedEntry(`${rel} links elsewhere than the manifest says`);
    } else if (type === 'hardlink') {
      const target = this.relative(entry.linkpath ?? '');
      if (target !== listed.linkTarget) throw new RefusedEntry(`${rel} links elsewhere than the manifest says`);
      if (this.seen.get(target) !== 'file')
        throw new RefusedEntry(`${rel} is a hardlink to ${target}, which is not a file staged before it`);
      stageLinkpath = this.stagePath(target, 'file');
    }
    this.seen.set(rel, type);
    return { manifest: listed, stagePath: this.stagePath(rel, type), stageLinkpath };
  }

  /** Refuses an archive that lacks entries the manifest lists: staging it would restore a partial tree. */
  finish(): void {
    for (const path of this.rules.manifest.keys()) {
      if (!this.seen.has(path)) throw new RefusedEntry(`${path} is in the manifest but missing from the archive`);
    }
  }

  private relative(raw: string): string {
    if (raw.startsWith('/')) throw new RefusedEntry(`${raw} is an absolute path`);
    const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new RefusedEntry(`${raw} contains ".."`);
    const root = this.rules.rootName;
    if (parts[0] !== root) throw new RefusedEntry(`${raw} lies outside the volume's folder ${root}/`);
    return parts.length === 1 ? '.' : parts.slice(1).join('/');
  }

  /** `.` and every parent must already be staged as a directory: a link or file there would redirect the write. */
  private assertParentsStaged(rel: string): void {
    for (const parent of parentsOf(rel)) {
      const staged = this.seen.get(parent);
      if (staged === 'dir') continue;
      if (staged === 'symlink' || staged === 'hardlink')
        throw new RefusedEntry(`${rel} would be written through the link ${parent}`);
      if (parent === '.') throw new RefusedEntry(`${rel} comes before the volume root (.), which must come first`);
      throw new RefusedEntry(
        staged === undefined
          ? `${rel} comes before its parent directory ${parent}`
          : `${rel} lies under ${parent}, which is a ${staged}, not a directory`,
      );
    }
  }

  private stagePath(rel: string, type: EntryType): string {
    const path = rel === '.' ? this.rules.stageDir : `${this.rules.stageDir}/${rel}`;
    return type === 'dir' ? `${path}/` : path;
  }
}

/** The parents of a relative path, root first: `a/b/c` → `.`, `a`, `a/b`; `.` has none. */
export function parentsOf(rel: string): string[] {
  if (rel === '.') return [];
  const parts = rel.split('/');
  return ['.', ...parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'))];
}

export function rootNotDirectory(type: EntryType | 'missing'): string {
  return type === 'missing'
    ? 'the volume root (.) is missing'
    : `the volume root (.) is a ${type}, not a directory (a restore would write through it)`;
}

/** Volsnap's own folders at a volume's root belong to a running or interrupted restore, never to a snapshot. */
export function assertOwnNameFree(rel: string): void {
  if (/^\.volsnap-(stage|aside)-/.test(rel) && !rel.includes('/'))
    throw new RefusedEntry(`${rel} is named like Volsnap's own restore folders, which a snapshot never holds`);
}

const SETUID_SETGID = 0o6000;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Refuses devices, FIFOs, setuid/setgid files and names with control characters (newlines, say). */
export function assertNotSpecial(entry: ManifestEntry): void {
  const name = JSON.stringify(entry.path);
  if (entry.type === 'other')
    throw new RefusedEntry(`${name} is a device node or FIFO, and this snapshot does not allow special files`);
  if ((entry.mode & SETUID_SETGID) !== 0)
    throw new RefusedEntry(`${name} has the setuid or setgid bit, and this snapshot does not allow special files`);
  if (CONTROL.test(entry.path))
    throw new RefusedEntry(
      `${name} has a newline or another control character in its name, and this snapshot does not allow special files`,
    );
}
