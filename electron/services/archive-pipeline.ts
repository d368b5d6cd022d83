import { open, type FileHandle } from 'node:fs/promises';
import { Writable, type Readable } from 'node:stream';
import { BackgroundFlush } from './background-flush';
import { HashTap } from './hash-tap';
import { pipeline } from 'node:stream/promises';
import { CompressStream } from 'zstd-napi';
import { ManifestTap, type ManifestResult } from './manifest-tap';

export interface ArchivedVolume {
  manifest: ManifestResult;
  storedBytes: number;
  /** Format 2: the bytes of new chunk frames this capture wrote to packs (what it added to the store). */
  addedBytes?: number;
  sha256: string;
  /** Format 2: the distinct chunks the volume uses, 32-byte hashes back to back. */
  chunks?: Buffer;
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
    // Single-threaded, in this worker: the Engine's stream (about 400 MB/s) is slower than zstd -1
    // on one core, and zstd's own threads only add copies. Measured on 720 MB with 2 cores:
    // 3.4 s and 3.6 CPU-s per capture, against 4.0 s and 4.2 CPU-s with nbWorkers = cores.
    nbWorkers: 0,
    checksumFlag: true,
  });
  const measure = new HashTap();
  const file = await open(options.tempPath, 'w', 0o600);
  try {
    await pipeline(options.source, tap, compressor, measure, durableWriter(file));
  } finally {
    await file.close();
  }
  return { manifest: tap.result(), storedBytes: measure.bytes, sha256: measure.sha256() };
}

/** Writes to `file` with its bytes going to disk as they come (`BackgroundFlush`); `final` fsyncs the rest. */
function durableWriter(file: FileHandle): Writable {
  const flushes = new BackgroundFlush(() => file.datasync());
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      file.write(chunk).then(() => {
        flushes.written(chunk.length);
        callback();
      }, callback);
    },
    final(callback) {
      flushes
        .settled()
        .then(() => file.sync())
        .then(() => callback(), callback);
    },
  });
}
