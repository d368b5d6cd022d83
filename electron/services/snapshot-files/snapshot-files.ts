import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as createTar } from 'tar';
import { extractVolume } from './extract';
import { baseName, manifestPath } from './paths';
import { prepareTarget, undoTarget } from './target-dir';
import { JobRunner } from '../jobs';
import { RefusedEntry } from '../restore/entry-check';
import type { Catalog, StoredVolume } from '../../store/catalog';
import type { Leases } from '../../store/leases';
import type { ManifestFiles } from '../../store/manifest-files';
import type { StoredVolumeReader } from '../stored-volumes/stored-volume-reader';
import { VolsnapError } from '../../../shared/errors';
import type {
  ExtractResult,
  SnapshotFileEntry,
  SnapshotFileListing,
  SnapshotFilePreview,
} from '../../../shared/file-types';
import type { ManifestEntry, Snapshot } from '../../../shared/types';

/** A preview shows at most this much of a file; the rest is a download. */
export const PREVIEW_MAX_BYTES = 256 * 1024;
const SEARCH_LIMIT = 500;

export interface FileRef {
  snapshot: string;
  volume?: string;
  path?: string;
}

interface Located {
  snapshot: Snapshot;
  volume: StoredVolume;
  entry: ManifestEntry;
}

/**
 * The one reader of what a snapshot holds, without the Engine: listings from the stored manifest,
 * a file's bytes and a subtree's files from the stored archive. Every read holds the snapshot's
 * read lease, so a delete or retention waits for it. Paths from a person or a URL are only looked
 * up in the manifest; host paths are built only by the extractor, under its checks.
 */
export class SnapshotFiles {
  constructor(
    private readonly deps: {
      dataDir: string;
      catalog: Catalog;
      storedVolumes: StoredVolumeReader;
      leases: Leases;
      manifests: ManifestFiles;
    },
  ) {}

  /** A folder's children (or, with `search`, the entries whose name matches); the volumes when none is named and there are several. */
  list(ref: FileRef & { search?: string }): SnapshotFileListing {
    const snapshot = this.readySnapshot(ref.snapshot);
    const base = { snapshotId: snapshot.id, snapshotName: snapshot.name, truncated: false };
    const atRoot = ref.path === undefined || manifestPath(ref.path) === '.';
    if (ref.volume === undefined && snapshot.volumes.length !== 1 && atRoot && ref.search === undefined) {
      return {
        ...base,
        volume: null,
        path: '.',
        entries: this.deps.catalog.storedVolumes(snapshot.id).map(volumeEntry),
      };
    }
    const volume = this.volumeOf(snapshot, ref.volume);
    const name = volume.volumeName;
    const dir = manifestPath(ref.path ?? '.');
    const { manifests } = this.deps;
    if (ref.search !== undefined && ref.search.trim() !== '') {
      const found = manifests.searchByName(snapshot.id, volume.position, ref.search.trim(), SEARCH_LIMIT + 1);
      const entries = found.slice(0, SEARCH_LIMIT).map((e) => fileEntry(name, e));
      return { ...base, volume: name, path: '.', entries, truncated: found.length > SEARCH_LIMIT };
    }
    const entry = this.entryOf(snapshot, volume, dir);
    const entries = entry.type === 'dir' ? manifests.childrenOf(snapshot.id, volume.position, dir) : [entry];
    return { ...base, volume: name, path: dir, entries: entries.map((e) => fileEntry(name, e)) };
  }

  /** One entry of the manifest: what a route needs to know before it streams (file or folder, size). */
  describe(ref: FileRef): SnapshotFileEntry & { snapshotId: string } {
    const { snapshot, volume, entry } = this.locate(ref);
    return { ...fileEntry(volume.volumeName, entry), snapshotId: snapshot.id };
  }

  /** The file whose bytes a read of `ref` returns (a hardlink's target), for its size. */
  contentEntry(ref: FileRef): ManifestEntry {
    const { snapshot, volume, entry } = this.locate(ref);
    return this.contentOf(snapshot, volume, entry);
  }

  /** Bytes of the files in a folder and below: what a download of it weighs. */
  subtreeBytes(ref: FileRef): number {
    const { snapshot, volume, entry } = this.locate(ref);
    return this.deps.manifests
      .subtreeOf(snapshot.id, volume.position, entry.path)
      .reduce((sum, e) => sum + (e.type === 'file' ? e.size : 0), 0);
  }

  /** A small text file's content for the preview; larger or binary files say so instead. */
  async preview(ref: FileRef): Promise<SnapshotFilePreview> {
    const { snapshot, volume, entry } = this.locate(ref);
    const base = { volume: volume.volumeName, path: entry.path, size: entry.size, text: null };
    const source = this.contentOf(snapshot, volume, entry);
    if (source.type !== 'file') return { ...base, kind: 'not-a-file' };
    if (source.size > PREVIEW_MAX_BYTES) return { ...base, kind: 'too-large' };
    const content = await this.reading(snapshot, () =>
      this.deps.storedVolumes.fileBytes(snapshot.id, volume, { path: source.path, maxBytes: PREVIEW_MAX_BYTES }),
    );
    if (content === null) throw damaged(volume, entry.path, 'it is missing from the archive');
    if (content.includes(0)) return { ...base, kind: 'binary' };
    return { ...base, kind: 'text', text: content.toString('utf8') };
  }

  /**
   * Writes one file's bytes to `out` as they are decompressed (a hardlink's are its target's),
   * checking them against the manifest's sha256 at the end. A folder is `InvalidInput`.
   */
  async writeFile(ref: FileRef, out: NodeJS.WritableStream): Promise<void> {
    const { snapshot, volume, entry } = this.locate(ref);
    const source = this.contentOf(snapshot, volume, entry);
    if (source.type === 'dir')
      throw new VolsnapError(
        'InvalidInput',
        `${entry.path} is a folder in volume ${volume.volumeName}. List it with \`volsnap ls\`, or copy it out with \`volsnap extract --path ${entry.path}\`.`,
      );
    if (source.type !== 'file')
      throw new VolsnapError(
        'InvalidInput',
        `${entry.path} is a ${source.type === 'symlink' ? `symbolic link to ${source.linkTarget}` : 'device node or FIFO'}, not a file with contents.`,
      );
    const copy = await this.reading(snapshot, () =>
      this.deps.storedVolumes.writeFile(snapshot.id, volume, { path: source.path, sha256: source.sha256 }, out),
    );
    if (copy === 'missing') throw damaged(volume, entry.path, 'it is missing from the archive');
    if (copy === 'damaged') throw damaged(volume, entry.path, 'its bytes differ from the manifest (sha256)');
  }

  /**
   * Copies `paths` (default: the whole volume) of one volume into `to`, which must be empty or
   * new. Bad input (unknown path, non-empty or unwritable target, owners without root) is refused
   * before anything is written; a refused archive entry removes what was written.
   */
  async extract(input: {
    snapshot: string;
    volume?: string;
    paths: string[];
    to: string;
    preserveOwner: boolean;
  }): Promise<ExtractResult> {
    const snapshot = this.readySnapshot(input.snapshot);
    const volume = this.volumeOf(snapshot, input.volume);
    const selection = (input.paths.length === 0 ? ['.'] : input.paths).map(manifestPath);
    for (const p of selection) this.entryOf(snapshot, volume, p);
    if (input.preserveOwner && process.getuid?.() !== 0)
      throw new VolsnapError(
        'InvalidInput',
        '--preserve-owner sets the files’ original owners, which only root may do. Run it as root (sudo), or leave the option out to own the files yourself.',
      );
    const to = path.resolve(input.to);
    const created = await prepareTarget(to);
    try {
      const counts = await this.reading(snapshot, () =>
        extractVolume({
          tar: this.deps.storedVolumes.tar(snapshot.id, volume),
          volumeName: volume.volumeName,
          manifest: this.deps.catalog.manifest(snapshot.id, volume.position),
          specialFiles: snapshot.specialFiles,
          selection,
          to,
          preserveOwner: input.preserveOwner,
        }),
      );
      return {
        snapshotId: snapshot.id,
        volume: volume.volumeName,
        to,
        paths: selection,
        ...counts,
        ownersApplied: input.preserveOwner,
      };
    } catch (error) {
      await undoTarget(to, created);
      if (error instanceof RefusedEntry)
        throw damaged(volume, '', error.message, 'Nothing was left in the target folder');
      throw error;
    }
  }

  /** Writes a folder as an uncompressed tar (its files under the folder's own name) to `out`. */
  async writeTar(ref: FileRef, out: Writable): Promise<void> {
    const { snapshot, volume, entry } = this.locate(ref);
    const tmpRoot = path.join(this.deps.dataDir, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    const work = await mkdtemp(path.join(tmpRoot, 'download-'));
    try {
      const root = path.join(work, 'root');
      await this.extract({
        snapshot: snapshot.id,
        volume: volume.volumeName,
        paths: [entry.path],
        to: root,
        preserveOwner: false,
      });
      const folder = entry.path === '.' ? root : path.join(root, ...entry.path.split('/'));
      const tar = createTar({ cwd: path.dirname(folder), portable: true }, [path.basename(folder)]);
      await pipeline(tar, out);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private locate(ref: FileRef): Located {
    const snapshot = this.readySnapshot(ref.snapshot);
    const volume = this.volumeOf(snapshot, ref.volume);
    return { snapshot, volume, entry: this.entryOf(snapshot, volume, manifestPath(ref.path ?? '.')) };
  }

  /** The entry whose bytes a read returns: a hardlink's target file, anything else itself. */
  private contentOf(snapshot: Snapshot, volume: StoredVolume, entry: ManifestEntry): ManifestEntry {
    if (entry.type !== 'hardlink' || entry.linkTarget === null) return entry;
    return this.entryOf(snapshot, volume, entry.linkTarget);
  }

  private readySnapshot(ref: string): Snapshot {
    const snapshot = this.deps.catalog.resolve(ref);
    if (snapshot.status !== 'ready')
      throw new VolsnapError(
        'InvalidInput',
        `Snapshot "${snapshot.name}" is ${snapshot.status === 'capturing' ? 'still being captured' : 'a failed capture'}: it has no files to show.`,
      );
    return snapshot;
  }

  private volumeOf(snapshot: Snapshot, name: string | undefined): StoredVolume {
    const volumes = this.deps.catalog.storedVolumes(snapshot.id);
    const names = volumes.map((v) => v.volumeName).join(', ');
    if (name === undefined) {
      if (volumes.length === 1) return volumes[0]!;
      throw new VolsnapError(
        'InvalidInput',
        `Snapshot "${snapshot.name}" holds several volumes (${names}): choose one with --volume.`,
      );
    }
    const volume = volumes.find((v) => v.volumeName === name);
    if (!volume)
      throw new VolsnapError('NotFound', `Snapshot "${snapshot.name}" has no volume "${name}"; it holds: ${names}.`);
    return volume;
  }

  private entryOf(snapshot: Snapshot, volume: StoredVolume, p: string): ManifestEntry {
    const entry = this.deps.manifests.entry(snapshot.id, volume.position, p);
    if (!entry)
      throw new VolsnapError(
        'NotFound',
        `${p} is not in volume ${volume.volumeName} of snapshot "${snapshot.name}". List what it holds with \`volsnap ls ${snapshot.name} --volume ${volume.volumeName}\`.`,
      );
    return entry;
  }

  private async reading<T>(snapshot: Snapshot, read: () => Promise<T>): Promise<T> {
    const lease = this.deps.leases.snapshots.hold(snapshot, { id: JobRunner.newId(), kind: 'read' });
    try {
      return await read();
    } finally {
      lease.release();
    }
  }
}

function fileEntry(volume: string, e: ManifestEntry): SnapshotFileEntry {
  return {
    volume,
    path: e.path,
    name: baseName(e.path, volume),
    type: e.type,
    size: e.size,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    mtime: e.mtime,
    linkTarget: e.linkTarget,
  };
}

function volumeEntry(v: StoredVolume): SnapshotFileEntry {
  const entry = { volume: v.volumeName, path: '.', name: v.volumeName, type: 'volume' as const, size: v.sizeBytes };
  return { ...entry, mode: 0, uid: 0, gid: 0, mtime: 0, linkTarget: null };
}

function damaged(volume: StoredVolume, p: string, why: string, after = 'Nothing was changed'): VolsnapError {
  const what = p === '' ? '' : ` (${p})`;
  return new VolsnapError(
    'Integrity',
    `The archive of volume ${volume.volumeName}${what} was refused: ${why}. ${after}. The snapshot may be damaged; run volsnap verify on it.`,
  );
}
