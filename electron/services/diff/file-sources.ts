import path from 'node:path/posix';
import { pipeline } from 'node:stream/promises';
import { isDirStat, parentsInVolume, statPath, type LiveSource } from './live-manifest';
import { TarEntryReader } from './tar-entry';
import { ManifestTap } from '../manifest-tap';
import { engineCall, engineError } from '../../docker/engine';
import type { ManifestEntry } from '../../../shared/types';

/** One side of a file diff: the entry, and its bytes when they were read. */
export interface FileSide {
  entry: ManifestEntry;
  content: Buffer | null;
}

/**
 * Reads one file of a live volume: its manifest entry (through the same ManifestTap as capture)
 * and, when it is a file of at most `maxBytes`, its bytes. Null when the path is not in the
 * volume. A directory is described from the Engine's stat, without reading its tree.
 */
export async function readLiveFile(options: {
  source: LiveSource;
  path: string;
  maxBytes: number;
}): Promise<FileSide | null> {
  const { source } = options;
  if (!(await parentsInVolume(source, options.path))) return null;
  const full = path.join(source.root, options.path);
  const stat = await statPath(source.container, full);
  if (!stat) return null;
  if (isDirStat(stat) && stat.linkTarget === '') {
    const entry: ManifestEntry = {
      path: options.path,
      type: 'dir',
      size: 0,
      mode: stat.mode & 0o777,
      uid: 0,
      gid: 0,
      mtime: 0,
      sha256: null,
      linkTarget: null,
    };
    return { entry, content: null };
  }
  const stream = await engineCall(`read ${full}`, () => source.container.getArchive({ path: full }));
  const rootName = path.basename(full);
  const tap = new ManifestTap(rootName);
  const reader = new TarEntryReader({ rootName, wanted: '.', maxBytes: options.maxBytes });
  try {
    await pipeline(stream, tap, reader);
  } catch (error) {
    throw engineError(error, `read ${full}`);
  }
  const entry = tap.result().entries[0];
  return entry ? { entry: { ...entry, path: options.path }, content: reader.content } : null;
}
