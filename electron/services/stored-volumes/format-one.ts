import { createReadStream } from 'node:fs';
import { addAbortSignal, pipeline, type Readable } from 'node:stream';
import type { CompressedTar, FormatReader } from './stored-volume-reader';
import { ZstdDecompress } from '../zstd-decompress';
import { copyTarFile, readTarFile } from './tar-files';
import type { ArchiveFiles } from '../../store/archive-files';
import type { StoredVolume } from '../../store/catalog';

/** Large reads of the archive: the default 64 KiB ones cost a syscall and a callback each. */
const READ_CHUNK = 4 * 1024 * 1024;

/** Format 1: each volume is one zstd-compressed tar, `archives/<snapshotId>/<archiveFile>`. */
export function formatOneReader(files: ArchiveFiles): FormatReader {
  const reader: FormatReader = {
    tar(snapshotId: string, volume: StoredVolume, signal?: AbortSignal): Readable {
      // pipeline() destroys the file stream when the reader of the tar stops early or fails, and
      // passes a read error (a missing archive) on to the stream returned.
      const tar = pipeline(
        createReadStream(files.pathOf(snapshotId, volume.archiveFile), { highWaterMark: READ_CHUNK }),
        new ZstdDecompress(),
        () => undefined,
      );
      return signal ? addAbortSignal(signal, tar) : tar;
    },

    compressed(snapshotId: string, volume: StoredVolume): Promise<CompressedTar> {
      // The stored archive is already the compressed tar.
      return Promise.resolve({
        open: () => createReadStream(files.pathOf(snapshotId, volume.archiveFile), { highWaterMark: READ_CHUNK }),
        sizeBytes: volume.storedBytes,
        sha256: volume.sha256,
      });
    },

    async sized(snapshotId, volume) {
      const stream = await reader.compressed(snapshotId, volume);
      return { ...stream, openCheckingLater: () => ({ bytes: stream.open(), checkRest: () => Promise.resolve() }) };
    },

    async checkStored(snapshotId: string, volume: StoredVolume): Promise<string | null> {
      let sha: string;
      try {
        sha = await files.sha256Of(snapshotId, volume.archiveFile);
      } catch (error) {
        return `archive missing or unreadable: ${(error as Error).message}`;
      }
      if (sha === volume.sha256) return null;
      return `archive checksum mismatch (stored ${volume.sha256.slice(0, 12)}…, now ${sha.slice(0, 12)}…)`;
    },
    // One compressed stream: no chunk can be damaged alone, a damaged archive fails the read.
    checkedTar: (snapshotId, volume) => ({ tar: reader.tar(snapshotId, volume), damaged: new Map() }),
    fileBytes: (snapshotId, volume, file) =>
      readTarFile(reader.tar(snapshotId, volume), { rootName: volume.volumeName, ...file }),
    writeFile: (snapshotId, volume, file, out) =>
      copyTarFile(reader.tar(snapshotId, volume), { rootName: volume.volumeName, ...file }, out),
  };
  return reader;
}
