import { PassThrough } from 'node:stream';
import { IMAGE_DIR, layerBytes, writeImageLayer } from './image-layer';
import { sizedParts, type SizedParts } from '../bundle/export';
import { StreamFilesWorker } from '../bundle/stream-files';
import { JobRunner, type JobContext, type JobHandle } from '../jobs';
import type { EngineClient } from '../../docker/engine';
import { fullReference, parseImageReference, type ImageReference } from '../../docker/image-reference';
import { importImage, pushImage, removeImage } from '../../docker/images';
import { findRegistryAuth, type AuthSources } from '../../docker/registry-auth';
import type { Catalog } from '../../store/catalog';
import type { Db } from '../../store/db';
import type { Leases } from '../../store/leases';
import type { StoredVolumeReader } from '../stored-volumes/stored-volume-reader';
import { VolsnapError } from '../../../shared/errors';
import type { Snapshot } from '../../../shared/types';

export interface RegistryDeps {
  /** The store's folder: the layer worker reads the volumes from it (readerForDataDir). */
  dataDir: string;
  /** The catalog: this thread looks up the snapshot's chunks for the layer worker (list-locations.ts). */
  db: Db;
  docker: EngineClient;
  catalog: Catalog;
  storedVolumes: StoredVolumeReader;
  leases: Leases;
  jobs: JobRunner;
}

export interface PushOptions {
  snapshot: string;
  reference: string;
  keepImage?: boolean;
  /** `--username` with `--password-stdin`; else the docker CLI's stored credentials. */
  credentials?: { username: string; password: string };
  authSources?: AuthSources;
}

/** What a push reports. */
export interface PushResult {
  snapshotId: string;
  snapshotName: string;
  reference: string;
  digest: string;
  /** Bytes of the image layer (snapshot.json and the volume streams). */
  bytes: number;
  keptImage: boolean;
}

/** The labels a snapshot image carries; `io.volsnap.format` says how to read it. */
export function imageLabels(snapshot: Snapshot): Record<string, string> {
  return {
    'io.volsnap.format': `${IMAGE_DIR}/snapshot.json`,
    'io.volsnap.snapshot.id': snapshot.id,
    'io.volsnap.snapshot.name': snapshot.name,
    'io.volsnap.snapshot.created': snapshot.createdAt,
    'io.volsnap.workload': snapshot.workloadName,
    'io.volsnap.volumes': snapshot.volumes.map((v) => v.volumeName).join(','),
  };
}

/**
 * Starts a push as a job: checks the reference and finds the credentials first (a typo or a missing
 * credential helper fails before anything is built), then holds the snapshot's read lease.
 */
export async function startPush(deps: RegistryDeps, options: PushOptions): Promise<JobHandle<PushResult>> {
  const snapshot = deps.catalog.resolve(options.snapshot);
  if (snapshot.status !== 'ready')
    throw new VolsnapError(
      'InvalidInput',
      `Snapshot "${snapshot.name}" is ${snapshot.status}; only ready snapshots can be pushed.`,
    );
  const ref = parseImageReference(options.reference);
  if (ref.digest)
    throw new VolsnapError(
      'InvalidInput',
      `Push to a tag, not a digest: the registry computes the digest (${options.reference}).`,
    );
  const auth = await findRegistryAuth(ref.registry, { ...options.authSources, explicit: options.credentials });
  const jobId = JobRunner.newId();
  const hold = deps.leases.snapshots.hold(snapshot, { id: jobId, kind: 'push' });
  return deps.jobs.start(
    {
      id: jobId,
      kind: 'push',
      workloadId: snapshot.workloadId,
      snapshotId: snapshot.id,
      exclusive: false,
      holds: [hold],
      toResult: (r: PushResult) => ({ snapshotId: r.snapshotId, reference: r.reference, digest: r.digest }),
    },
    (ctx) => push(ctx, deps, { snapshot, ref, auth, keepImage: options.keepImage === true }),
  );
}

/** What a push job was started with. */
interface PushJob {
  snapshot: Snapshot;
  ref: ImageReference;
  auth: Awaited<ReturnType<typeof findRegistryAuth>>;
  keepImage: boolean;
}

/** Builds the image from the snapshot's volumes, read once (checked as they go), then pushes it. */
async function push(ctx: JobContext, deps: RegistryDeps, job: PushJob): Promise<PushResult> {
  const { snapshot } = job;
  const files = StreamFilesWorker.forSnapshot(deps, snapshot.id);
  try {
    return await pushParts(ctx, deps, job, { files, ...(await sizedParts(deps, snapshot, files)) });
  } finally {
    await files.stop();
  }
}

async function pushParts(
  ctx: JobContext,
  deps: RegistryDeps,
  options: PushJob,
  parts: SizedParts & { files: StreamFilesWorker },
): Promise<PushResult> {
  const { snapshot, ref, auth } = options;
  const tag = fullReference(ref);
  const { doc, streams } = parts;
  const total = layerBytes(doc, streams);
  ctx.progress({ phase: 'preparing', detail: 'building the image', bytesDone: 0, bytesTotal: total });
  const tar = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
  const writing = writeImageLayer({
    files: parts.files,
    doc,
    streams,
    sink: tar,
    onBytes: (bytes) =>
      ctx.progress({
        phase: 'preparing',
        detail: 'building the image',
        bytesDone: bytes,
        bytesTotal: total,
        ratio: bytes / total,
      }),
  }).catch((error: unknown) => {
    tar.destroy(error as Error);
    throw error;
  });
  let built = false;
  try {
    const [imported, written] = await Promise.allSettled([
      importImage(deps.docker, { tar, tag, labels: imageLabels(snapshot), signal: ctx.signal }),
      writing,
    ]);
    built = imported.status === 'fulfilled';
    // A damaged stored archive explains the failure better than the import it cut short.
    if (written.status === 'rejected') throw written.reason;
    if (imported.status === 'rejected') throw imported.reason;
    ctx.checkCancelled();
    ctx.progress({ phase: 'pushing', detail: tag, bytesDone: 0, bytesTotal: total, ratio: 0 });
    const digest = await pushImage(deps.docker, {
      ref,
      auth,
      signal: ctx.signal,
      onProgress: (p) =>
        ctx.progress({
          phase: 'pushing',
          detail: tag,
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal ?? total,
          ratio: Math.min(1, p.bytesDone / (p.bytesTotal ?? total)),
        }),
    });
    return {
      snapshotId: snapshot.id,
      snapshotName: snapshot.name,
      reference: tag,
      digest,
      bytes: total,
      keptImage: options.keepImage,
    };
  } finally {
    // The local image is only a vehicle: it goes on every path unless the user asked to keep it.
    if (!options.keepImage && built) await removeImage(deps.docker, tag).catch(() => undefined);
  }
}
