import { constants, createWriteStream } from 'node:fs';
import { copyFile, lchown, link, lutimes, mkdir, mkdtemp, open, rm, symlink } from 'node:fs/promises';
import { chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { HashTap } from '../hash-tap';
import type { ReadEntry } from 'tar';
import { isUnder } from './paths';
import { EntryChecker, parentsOf, RefusedEntry } from '../restore/entry-check';
import { walkTar } from '../stored-volumes/tar-walk';
import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/** setuid/setgid never survive an extract: the copy lands on the host, outside any container. */
const DROPPED_BITS = 0o6000;

export interface ExtractCounts {
  files: number;
  dirs: number;
  links: number;
  bytes: number;
  skipped: { path: string; reason: string }[];
}

interface PendingDir {
  dest: string;
  entry: ManifestEntry;
}

/**
 * Writes the `selection` subtrees of one volume's archive under `to` (an empty directory), keeping
 * their paths from the volume root. Every entry of the archive passes restore's EntryChecker (no
 * absolute paths or `..`, parents are directories written before, nothing the manifest does not
 * list), so nothing is written outside `to` or through a link; files are created exclusively
 * without following links and their sha256 is checked against the manifest. Device nodes and
 * FIFOs are skipped, setuid/setgid bits dropped, owners applied only with `preserveOwner`.
 * Directories are written 0700 and get their modes and times last, so read-only ones still fill.
 */
export async function extractVolume(options: {
  /** The volume's tar (StoredVolumeReader.tar); destroyed when the extract ends. */
  tar: Readable;
  volumeName: string;
  manifest: ManifestEntry[];
  specialFiles: SpecialFiles;
  selection: string[];
  to: string;
  preserveOwner: boolean;
}): Promise<ExtractCounts> {
  const { selection, to } = options;
  const checker = new EntryChecker({
    rootName: options.volumeName,
    manifest: new Map(options.manifest.map((e) => [e.path, e])),
    stageDir: '.',
    specialFiles: options.specialFiles,
  });
  const wanted = (rel: string) => selection.some((scope) => isUnder(rel, scope));
  // The folders leading to a selected path are written too (without their other contents).
  const ancestors = new Set(selection.flatMap((scope) => parentsOf(scope)));
  const linkSources = hardlinkSourcesOutside(options.manifest, wanted);
  const counts: ExtractCounts = { files: 0, dirs: 0, links: 0, bytes: 0, skipped: [] };
  const dirs: PendingDir[] = [];
  const written = new Set<string>();
  const spare = linkSources.size > 0 ? await mkdtemp(path.join(tmpdir(), 'volsnap-links-')) : null;
  const destOf = (rel: string) => path.join(to, ...rel.split('/'));
  try {
    await walkTar(options.tar, async (entry) => {
      const { manifest } = checker.check(entry);
      const rel = manifest.path;
      if (rel === '.' || !(wanted(rel) || ancestors.has(rel))) {
        if (spare !== null && linkSources.has(rel))
          await writeFile(entry, manifest, path.join(spare, String(linkSources.get(rel))));
        else entry.resume();
        return 'next';
      }
      const dest = destOf(rel);
      switch (manifest.type) {
        case 'dir':
          entry.resume();
          await mkdir(dest, { mode: 0o700 });
          dirs.push({ dest, entry: manifest });
          counts.dirs++;
          break;
        case 'file':
          counts.bytes += await writeFile(entry, manifest, dest);
          counts.files++;
          break;
        case 'symlink':
          entry.resume();
          await symlink(manifest.linkTarget ?? '', dest);
          counts.links++;
          break;
        case 'hardlink': {
          entry.resume();
          const target = manifest.linkTarget ?? '';
          if (written.has(target)) await link(destOf(target), dest);
          else await copyFile(path.join(spare!, String(linkSources.get(target))), dest, constants.COPYFILE_EXCL);
          counts.links++;
          break;
        }
        case 'other':
          entry.resume();
          counts.skipped.push({ path: rel, reason: 'device node or FIFO: never extracted to the host' });
          return 'next';
      }
      written.add(rel);
      if (manifest.type !== 'dir') await finishEntry(dest, manifest, options.preserveOwner);
      return 'next';
    });
    checker.finish();
    // Deepest first, so a read-only parent is locked only after its children are done.
    for (const dir of dirs.reverse()) await finishEntry(dir.dest, dir.entry, options.preserveOwner);
    return counts;
  } finally {
    options.tar.destroy();
    if (spare !== null) await rm(spare, { recursive: true, force: true });
  }
}

/** Files outside the selection that a selected hardlink points at: their bytes are kept aside (numbered). */
function hardlinkSourcesOutside(manifest: ManifestEntry[], wanted: (rel: string) => boolean): Map<string, number> {
  const sources = new Map<string, number>();
  for (const e of manifest) {
    if (e.type === 'hardlink' && wanted(e.path) && e.linkTarget !== null && !wanted(e.linkTarget))
      sources.set(e.linkTarget, sources.size);
  }
  return sources;
}

/** Streams a file entry into a new file (never through an existing one or a link); checks its sha256. */
async function writeFile(entry: ReadEntry, manifest: ManifestEntry, dest: string): Promise<number> {
  const handle = await open(
    dest,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  const tap = new HashTap();
  await pipeline(entry, tap, createWriteStream('', { fd: handle, flush: true }));
  if (manifest.sha256 !== null && tap.sha256() !== manifest.sha256)
    throw new RefusedEntry(`${manifest.path} has other content than the manifest records (sha256 differs)`);
  return tap.bytes;
}

async function finishEntry(dest: string, entry: ManifestEntry, preserveOwner: boolean): Promise<void> {
  if (preserveOwner) await lchown(dest, entry.uid, entry.gid);
  // A symlink's own mode means nothing on Linux, and chmod would follow it.
  if (entry.type !== 'symlink') await chmod(dest, entry.mode & 0o7777 & ~DROPPED_BITS);
  await lutimes(dest, entry.mtime, entry.mtime);
}
