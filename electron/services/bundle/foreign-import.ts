import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BUNDLE_FORMAT, BUNDLE_VERSION, DOCKER_VOLUME_NAME, LIMITS, refused, streamEntryName } from './bundle-format';
import type { BundleDoc } from './bundle-doc';
import { plainTar, type ForeignFormat } from './decompress';
import { ForeignLayout } from './foreign-layout';
import { openIncoming } from './incoming';
import { bounded } from './stream-check';
import { VolumeSetImport, type ImportDeps, type ImportOptions } from './volume-set-import';
import { writeArchive } from '../archive-pipeline';
import { JobRunner } from '../jobs';
import { freeBytes } from '../../store/disk-full';
import { VolsnapError } from '../../../shared/errors';
import type { Snapshot } from '../../../shared/types';

export interface ForeignImportOptions extends ImportOptions {
  fileName: string;
  volume: string;
  /** Most bytes the archive may expand to; the store disk's free space when absent. */
  maxExpandedBytes?: number;
}

/**
 * Imports one volume archived by another tool (vackup, the Volumes Backup & Share extension,
 * docker-volume-snapshot, plain `tar`): tar, tar.gz, tar.zst or tar.bz2. The archive is rewritten
 * under `<volume>/` and recompressed as Volsnap stores it while its manifest is built from the
 * same bytes (the capture pipeline); then the result goes through exactly what a bundle goes
 * through (VolumeSetImport: every entry against the restore entry rules, nothing stored on failure).
 */
export async function importForeign(
  deps: ImportDeps,
  source: Readable,
  options: ForeignImportOptions,
): Promise<Snapshot> {
  const volume = options.volume;
  if (!DOCKER_VOLUME_NAME.test(volume))
    throw new VolsnapError(
      'InvalidInput',
      `"${volume}" is not a volume name Docker accepts (letters, digits, _ . -, starting with a letter or digit). Choose another --volume.`,
    );
  const scratch = await openIncoming(deps.dataDir, JobRunner.newId());
  try {
    const converted = await convert(source, scratch.pathOf('volume.tar.zst'), options);
    const doc = foreignDoc(options, converted);
    const set = await VolumeSetImport.open(deps, doc, options);
    try {
      await set.receive(doc.volumes[0]!.stream.entry, createReadStream(scratch.pathOf('volume.tar.zst')));
      return await set.commit({
        source: converted.format,
        fileSha256: converted.fileSha256,
        fileName: options.fileName,
        originalSnapshotId: null,
        originEngine: null,
      });
    } catch (error) {
      await set.abort();
      throw error;
    }
  } finally {
    await scratch.remove();
  }
}

interface Converted {
  format: ForeignFormat;
  fileSha256: string;
  storedBytes: number;
  sha256: string;
  manifest: BundleDoc['volumes'][number]['manifest'];
  contentBytes: number;
  fileCount: number;
}

async function convert(source: Readable, tempPath: string, options: ForeignImportOptions): Promise<Converted> {
  const fileHash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      fileHash.update(chunk);
      callback(null, chunk);
    },
  });
  // `pipe` does not pass errors on: a read error of the file must fail the import, not stall it.
  source.once('error', (error) => tap.destroy(error));
  const { format, stages } = await plainTar(source.pipe(tap));
  const limit =
    options.maxExpandedBytes ?? Math.max(0, (freeBytes(path.dirname(tempPath)) ?? Infinity) - LIMITS.freeSpaceMargin);
  const layout = new ForeignLayout(options.volume);
  const expanded = pipeline([
    ...stages,
    bounded(limit, () => bomb(limit)),
    layout,
  ] as unknown as NodeJS.ReadWriteStream[]);
  expanded.catch(() => undefined);
  let archived;
  try {
    archived = await writeArchive({ source: layout, rootName: options.volume, tempPath, onProgress: () => undefined });
    await expanded;
  } catch (error) {
    // The first failure explains best: a refusal upstream shows as a cut stream downstream.
    const first = await expanded.then(
      () => error,
      (upstream: unknown) => upstream,
    );
    if (first instanceof VolsnapError) throw first;
    throw refused(`it cannot be read as a tar archive (${(first as Error).message})`);
  }
  return {
    format,
    fileSha256: fileHash.digest('hex'),
    storedBytes: archived.storedBytes,
    sha256: archived.sha256,
    manifest: archived.manifest.entries,
    contentBytes: archived.manifest.contentBytes,
    fileCount: archived.manifest.fileCount,
  };
}

function bomb(limit: number): VolsnapError {
  return refused(
    `it expands to more than ${Math.floor(limit / 1e6)} MB, more than the store's disk has free (a decompression bomb, or too large for this disk)`,
  );
}

/** The volsnap.json a bundle of this one volume would carry, so the same checks and commit apply. */
function foreignDoc(options: ForeignImportOptions, converted: Converted): BundleDoc {
  const now = new Date().toISOString();
  const volume = options.volume;
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: now,
    snapshot: {
      id: JobRunner.newId(),
      name: defaultName(options),
      note: `Imported from ${options.fileName === '-' ? 'standard input' : path.basename(options.fileName)} (${converted.format})`,
      workloadId: `volume:${volume}`,
      workloadName: volume,
      createdAt: now,
      trigger: 'import',
      mode: 'live',
      engineId: null,
      engineName: null,
      provenance: null,
    },
    volumes: [
      {
        volumeName: volume,
        owner: '',
        mountDestination: '',
        sizeBytes: converted.contentBytes,
        fileCount: converted.fileCount,
        stream: { entry: streamEntryName(0, volume), sha256: converted.sha256, sizeBytes: converted.storedBytes },
        manifest: converted.manifest,
      },
    ],
  };
}

/** `<file name without its archive extensions>`, or `<volume>-import` from standard input. */
function defaultName(options: ForeignImportOptions): string {
  if (options.fileName === '-') return `${options.volume}-import`;
  const base = path.basename(options.fileName).replace(/\.(tar(\.(gz|zst|bz2))?|tgz|tbz2?)$/i, '');
  return base.length > 0 ? base : `${options.volume}-import`;
}
