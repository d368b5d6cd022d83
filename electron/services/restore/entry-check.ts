import { TAR_ENTRY_TYPES } from '../manifest-builder';
import type { EntryType, ManifestEntry } from '../../../shared/types';

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

/**
 * Checks each archive entry, in archive order, before a single byte of it is sent to the Engine:
 * no absolute paths, no `..`, nothing outside the volume's root folder, nothing written through
 * a symlink or hardlink staged earlier, no duplicates, nothing the manifest does not list (with
 * the same type, size, permissions, owner and link target), so what is staged is what the
 * manifest describes even if the archive changed after the preflight hashed it. The file hash is
 * checked by the stage once its data streamed.
 */
export class EntryChecker {
  private readonly seen = new Map<string, EntryType>();
  /** Symlinks and hardlinks staged so far: nothing may be written beneath them. */
  private readonly links = new Set<string>();

  constructor(
    private readonly rootName: string,
    private readonly manifest: Map<string, ManifestEntry>,
    private readonly stageDir: string,
  ) {}

  check(entry: ArchiveEntry): CheckedEntry {
    const rel = this.relative(entry.path);
    const type = TAR_ENTRY_TYPES[entry.type] ?? 'other';
    if (this.seen.has(rel)) throw new RefusedEntry(`${rel} appears twice in the archive`);
    this.assertNotThroughLink(rel);
    const listed = this.manifest.get(rel);
    if (!listed) throw new RefusedEntry(`${rel} is not in the snapshot's manifest`);
    if (listed.type !== type)
      throw new RefusedEntry(`${rel} is a ${type} in the archive but a ${listed.type} in the manifest`);
    if (type === 'file' && listed.size !== entry.size)
      throw new RefusedEntry(`${rel} has a different size than in the manifest`);
    if (((entry.mode ?? 0) & 0o7777) !== listed.mode)
      throw new RefusedEntry(`${rel} has other permissions than in the manifest`);
    if ((entry.uid ?? 0) !== listed.uid || (entry.gid ?? 0) !== listed.gid)
      throw new RefusedEntry(`${rel} has another owner than in the manifest`);
    let stageLinkpath: string | null = null;
    if (type === 'symlink') {
      if ((entry.linkpath ?? '') !== listed.linkTarget)
        throw new RefusedEntry(`${rel} links elsewhere than the manifest says`);
      this.links.add(rel);
    } else if (type === 'hardlink') {
      const target = this.relative(entry.linkpath ?? '');
      if (target !== listed.linkTarget) throw new RefusedEntry(`${rel} links elsewhere than the manifest says`);
      if (this.seen.get(target) !== 'file')
        throw new RefusedEntry(`${rel} is a hardlink to ${target}, which is not a file staged before it`);
      this.assertNotThroughLink(target);
      this.links.add(rel);
      stageLinkpath = this.stagePath(target, 'file');
    }
    this.seen.set(rel, type);
    return { manifest: listed, stagePath: this.stagePath(rel, type), stageLinkpath };
  }

  /** Refuses an archive that lacks entries the manifest lists: staging it would restore a partial tree. */
  finish(): void {
    for (const path of this.manifest.keys()) {
      if (!this.seen.has(path)) throw new RefusedEntry(`${path} is in the manifest but missing from the archive`);
    }
  }

  private relative(raw: string): string {
    if (raw.startsWith('/')) throw new RefusedEntry(`${raw} is an absolute path`);
    const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new RefusedEntry(`${raw} contains ".."`);
    if (parts[0] !== this.rootName) throw new RefusedEntry(`${raw} lies outside the volume's folder ${this.rootName}/`);
    return parts.length === 1 ? '.' : parts.slice(1).join('/');
  }

  private assertNotThroughLink(rel: string): void {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (this.links.has(parent)) throw new RefusedEntry(`${rel} would be written through the link ${parent}`);
    }
  }

  private stagePath(rel: string, type: EntryType): string {
    const path = rel === '.' ? this.stageDir : `${this.stageDir}/${rel}`;
    return type === 'dir' ? `${path}/` : path;
  }
}
