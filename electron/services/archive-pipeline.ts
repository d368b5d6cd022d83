import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompressStream } from 'zstd-napi';
import { ManifestTap, type ManifestResult } from './manifest-builder';

export interface ArchivedVolume {
  manifest: ManifestResult;
  storedBytes: number;
  sha256: string;
}

/** Level 1: keeps pace with the Engine's tar stream; level 3 saves little on typical volume data. */
const ZSTD_LEVEL = 1;

/**
 * Reads a volume's tar once and writes the zstd archive to `tempPath` (fsynced) while building the
 * manifest (sha256 per file) from the same bytes. CPU-heavy: runs in the archive worker thread.
 */
export async function writeArchive(options: {
  source: Readable;
  rootName: string;
  tempPath: string;
  onProgress: (totals: { tarBytes: number; files: number }) => void;
}): Promise<ArchivedVolume> {
  const tap = new ManifestTap(options.rootName, options.onProgress);
  const compressor = new CompressStream({
    compressionLevel: ZSTD_LEVEL,
    nbWorkers: availableParallelism(),
    checksumFlag: true,
  });
  const hash = createHash('sha256');
  let storedBytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      storedBytes += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(options.source, tap, compressor, measure, createWriteStream(options.tempPath, { mode: 0o600 }));
  await fsyncFile(options.tempPath);
  return { manifest: tap.result(), storedBytes, sha256: hash.digest('hex') };
}

/** fsync flushes the file itself, whichever descriptor asks; a fresh one keeps the stream simple. */
async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
