import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { CompressStream } from 'zstd-napi';
import { ManifestTap, type ManifestResult } from './manifest-builder';
import { engineCall } from '../docker/engine';
import { helperMountPath } from '../docker/helper';

export interface ArchivedVolume {
  manifest: ManifestResult;
  storedBytes: number;
  sha256: string;
}

/** Level 1: as fast as the Engine streams; level 3 saves little on typical volume data. */
const ZSTD_LEVEL = 1;

/**
 * Reads one volume through the Engine archive endpoint of a helper container, once, and writes
 * the zstd archive to `tempPath` (fsynced) while building the manifest from the same bytes.
 */
export async function archiveVolume(options: {
  helper: Docker.Container;
  volumeName: string;
  tempPath: string;
  signal: AbortSignal;
  onProgress: (tarBytes: number, files: number) => void;
}): Promise<ArchivedVolume> {
  const source = await engineCall(`read volume ${options.volumeName}`, () =>
    options.helper.getArchive({ path: helperMountPath(options.volumeName) }),
  );
  const tap = new ManifestTap(options.volumeName, (totals) => options.onProgress(totals.tarBytes, totals.files));
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
  await pipeline(source, tap, compressor, measure, createWriteStream(options.tempPath, { mode: 0o600 }), {
    signal: options.signal,
  });
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
