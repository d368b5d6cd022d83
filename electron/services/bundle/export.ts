import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { BUNDLE_FORMAT, BUNDLE_VERSION, streamEntryName, type BundleDoc } from './bundle-format';
import { bundleBytes, writeBundle, type BundleStream, type WrittenBundle } from './bundle-writer';
import { JobRunner, type JobContext } from '../jobs';
import { fsyncDir } from '../../store/archive-files';
import type { Catalog, StoredVolume } from '../../store/catalog';
import type { Leases } from '../../store/leases';
import type { CompressedTar, StoredVolumeReader } from '../stored-volumes/stored-volume-reader';
import { VolsnapError } from '../../../shared/errors';
import type { Snapshot } from '../../../shared/types';

export interface ExportDeps {
  catalog: Catalog;
  storedVolumes: StoredVolumeReader;
  leases: Leases;
}

/** What the app's export job follows: the check of each volume, then the bytes going out. */
export interface ExportWatch {
  /** A volume's stored data read and checked before the bundle's first byte (format 2); may throw to cancel. */
  checking: VolumeCheckProgress;
  /** Wraps the output once the bundle's size is known (the job counts bytes and cancels through it). */
  output(sink: Writable, bundleBytes: number): Writable;
}

/** `done` of `total` bytes of volume `volumeName`'s tar checked. */
export type VolumeCheckProgress = (volumeName: string, done: number, total: number) => void;

/** An export's job progress while each volume is checked; a cancel stops the check. */
export function checkingProgress(ctx: JobContext): VolumeCheckProgress {
  return (volume, done, total) => {
    ctx.checkCancelled();
    ctx.progress({
      phase: 'preparing',
      volume,
      detail: 'checking the stored data',
      bytesDone: done,
      bytesTotal: total,
      ratio: total > 0 ? done / total : null,
    });
  };
}

/** What `volsnap export` reports. */
export interface ExportResult {
  /** The file written, or `-` for standard output. */
  file: string;
  sizeBytes: number;
  sha256: string;
}

/** A snapshot's bundle parts. */
export interface BundleParts {
  doc: BundleDoc;
  streams: BundleStream[];
}

/**
 * A ready snapshot's bundle parts: its volsnap.json document and each volume as a compressed tar
 * (whose size and sha256 format 2 learns by reading the volume once: `checking` follows that).
 */
export async function bundleParts(
  deps: ExportDeps,
  snapshot: Snapshot,
  checking?: VolumeCheckProgress,
): Promise<BundleParts> {
  const stored = deps.catalog.storedVolumes(snapshot.id);
  const tars: CompressedTar[] = [];
  for (const v of stored) {
    const onChecked = checking && ((done: number, total: number) => checking(v.volumeName, done, total));
    tars.push(await deps.storedVolumes.compressed(snapshot.id, v, onChecked));
  }
  const streams = stored.map((v, i) => ({ entry: streamEntryName(v.position, v.volumeName), ...tars[i]! }));
  return { doc: bundleDoc(deps.catalog, snapshot, stored, streams), streams };
}

/** The volsnap.json document of `snapshot`, whose volumes (`stored`) travel as `streams`, in order. */
export function bundleDoc(
  catalog: Catalog,
  snapshot: Snapshot,
  stored: StoredVolume[],
  streams: { entry: string; sha256: string; sizeBytes: number }[],
): BundleDoc {
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: new Date().toISOString(),
    snapshot: {
      id: snapshot.id,
      name: snapshot.name,
      note: snapshot.note,
      workloadId: snapshot.workloadId,
      workloadName: snapshot.workloadName,
      createdAt: snapshot.createdAt,
      trigger: snapshot.trigger,
      mode: snapshot.mode,
      engineId: snapshot.engineId,
      engineName: snapshot.engineName,
      provenance: snapshot.provenance && {
        engineVersion: snapshot.provenance.engineVersion,
        engineHost: snapshot.provenance.engineHost,
        containers: snapshot.provenance.containers,
        mounts: snapshot.provenance.mounts,
      },
    },
    volumes: stored.map((v, i) => ({
      volumeName: v.volumeName,
      owner: v.owner,
      mountDestination: v.mountDestination,
      sizeBytes: v.sizeBytes,
      fileCount: v.fileCount,
      stream: { entry: streams[i]!.entry, sha256: streams[i]!.sha256, sizeBytes: streams[i]!.sizeBytes },
      manifest: catalog.manifest(snapshot.id, v.position),
    })),
  };
}

/** Writes a snapshot's bundle to `sink` while holding its read lease (no delete or prune removes it meanwhile). */
export async function exportSnapshot(
  deps: ExportDeps,
  ref: string,
  sink: Writable,
  watch?: ExportWatch,
): Promise<WrittenBundle> {
  const snapshot = deps.catalog.resolve(ref);
  if (snapshot.status !== 'ready')
    throw new VolsnapError(
      'InvalidInput',
      `Snapshot "${snapshot.name}" is ${snapshot.status}; only ready snapshots can be exported.`,
    );
  const lease = deps.leases.snapshots.hold(snapshot, { id: JobRunner.newId(), kind: 'read' });
  try {
    const { doc, streams } = await bundleParts(deps, snapshot, watch?.checking);
    return await writeBundle(doc, streams, watch ? watch.output(sink, bundleBytes(doc, streams)) : sink);
  } finally {
    lease.release();
  }
}

/**
 * Exports to `file` atomically: a temp file beside it, fsynced, then renamed over it, so a reader
 * never sees half a bundle and a failed export leaves no file behind.
 */
export async function exportToFile(
  deps: ExportDeps,
  ref: string,
  file: string,
  watch?: ExportWatch,
): Promise<ExportResult> {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  const handle = await open(temp, 'wx', 0o644).catch((error: NodeJS.ErrnoException) => {
    throw new VolsnapError('InvalidInput', `Cannot write ${target}: ${error.message}. Choose another --output.`);
  });
  try {
    const stream = fileSink(handle);
    const written = await exportSnapshot(deps, ref, stream, watch);
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(resolve);
    });
    await handle.sync();
    await handle.close();
    await rename(temp, target);
    await fsyncDir(path.dirname(target));
    return { file: target, ...written };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes to an open file. Not `handle.createWriteStream()`: that stream holds a reference on the
 * handle until it closes itself, so the fsync-then-close the atomic write needs would wait forever.
 */
function fileSink(handle: FileHandle): Writable {
  return new Writable({
    highWaterMark: 4 * 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      handle.write(chunk).then(() => callback(), callback);
    },
  });
}
