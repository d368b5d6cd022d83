import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { walkTar } from './tar-walk';
import { TarEntryReader } from '../diff/tar-entry';
import { relativeTarPath } from '../manifest-tap';

/** How a file copy ended: its bytes went out and matched, it is not in the tar, or they differ. */
export type FileCopy = 'copied' | 'missing' | 'damaged';

/**
 * One entry's bytes out of a volume's tar: parse until the entry, then stop reading. Null if the
 * entry is not a regular file of at most `maxBytes` (or is not there).
 */
export async function readTarFile(
  tar: Readable,
  file: { rootName: string; path: string; maxBytes: number },
): Promise<Buffer | null> {
  const stop = new AbortController();
  // Capture named the tar's top folder after the volume (the helper mounts it at /volsnap/<volume>).
  const reader = new TarEntryReader({
    rootName: file.rootName,
    wanted: file.path,
    maxBytes: file.maxBytes,
    onFound: () => stop.abort(),
  });
  try {
    await pipeline(tar, reader, { signal: stop.signal });
  } catch (error) {
    if (!reader.found) throw error;
  }
  return reader.content;
}

/** Streams one entry's bytes to `out` (left open) while hashing them; see StoredVolumeReader.writeFile. */
export async function copyTarFile(
  tar: Readable,
  file: { rootName: string; path: string; sha256: string | null },
  out: NodeJS.WritableStream,
): Promise<FileCopy> {
  let result: FileCopy = 'missing';
  await walkTar(tar, async (entry) => {
    if (relativeTarPath(entry.path, file.rootName) !== file.path) {
      entry.resume();
      return 'next';
    }
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    await pipeline(entry, tap, out, { end: false });
    result = file.sha256 !== null && hash.digest('hex') !== file.sha256 ? 'damaged' : 'copied';
    return 'stop';
  });
  return result;
}
