import { createHash } from 'node:crypto';
import { VolsnapError } from '../../../shared/errors';
import type { ManifestEntry } from '../../../shared/types';
import type { FileChunks } from './chunked-file';
import { layoutEntries } from './layout-entries';
import type { FilesToReuse, TarLayout } from './tar-layout';

/** A file of the volume's previous snapshot that a re-capture may take as it is. */
interface ReusableFile {
  path: string;
  file: FileChunks;
  sha256: string;
}

/** What `ReusableFiles.confirm` throws: a reused file's bytes differ after all. */
export const REUSE_MISMATCH = 'REUSE_MISMATCH';

/**
 * The previous snapshot's files, found by the exact tar bytes in front of their contents (the
 * headers: name, size, mode, owners, mtime, PAX records). A re-capture takes a file whose header
 * bytes are unchanged from the previous layout without cutting, hashing, looking up or compressing
 * its chunks: only the manifest's sha256 of the bytes read is computed. `confirm` then compares
 * that sha256 with the previous one; a file changed under an unchanged header (its mtime put back)
 * fails the volume with REUSE_MISMATCH, and the caller reads it again without reuse.
 */
export class ReusableFiles implements FilesToReuse {
  private readonly byHeader = new Map<string, ReusableFile>();
  private readonly taken: ReusableFile[] = [];

  /** `hashes`: the previous manifest's file sha256s by path. */
  constructor(previous: TarLayout, rootName: string, hashes: Map<string, string>) {
    // The entries with contents come in the order of the parts with a file: one per part.
    const withFile = previous.parts.filter((part) => part.file);
    const files = layoutEntries(previous, rootName).filter((entry) => entry.file);
    for (const [i, entry] of files.entries()) {
      const sha256 = hashes.get(entry.path);
      if (sha256) this.byHeader.set(headerKey(withFile[i]!.meta), { path: entry.path, file: entry.file!, sha256 });
    }
  }

  get size(): number {
    return this.byHeader.size;
  }

  /** The previous chunks of the file behind these header bytes, if its header is unchanged. */
  take(meta: Buffer, size: number): FileChunks | undefined {
    const found = this.byHeader.get(headerKey(meta));
    if (!found || found.file.size !== size) return undefined;
    this.taken.push(found);
    return found.file;
  }

  /** Throws REUSE_MISMATCH unless every file taken has the sha256 it had before. */
  confirm(manifest: ManifestEntry[]): void {
    const now = new Map(manifest.filter((e) => e.type === 'file').map((e) => [e.path, e.sha256]));
    const changed = this.taken.find((t) => now.get(t.path) !== t.sha256);
    if (changed) {
      throw Object.assign(
        new VolsnapError('Integrity', `${changed.path} changed without a new modification time; reading it again`),
        { code: REUSE_MISMATCH },
      );
    }
  }
}

function headerKey(meta: Buffer): string {
  return createHash('sha256').update(meta).digest('base64');
}
