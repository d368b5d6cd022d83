import type { Readable } from 'node:stream';
import { IMAGE_DIR } from './image-layer';
import { readSnapshotImage } from './image-reader';
import { refused } from '../bundle/bundle-format';
import { importForeign } from '../bundle/foreign-import';
import type { ImportDeps } from '../bundle/volume-set-import';
import { JobRunner, type JobContext, type JobHandle } from '../jobs';
import { removeHelper } from '../../docker/helper';
import { fullReference, parseImageReference, type ImageReference } from '../../docker/image-reference';
import { createReaderContainer, inspectImage, pullImage, readContainerPath, removeImage } from '../../docker/images';
import { findRegistryAuth, type AuthSources, type RegistryAuth } from '../../docker/registry-auth';
import { markPulled } from '../../store/pulled-snapshots';
import { VolsnapError } from '../../../shared/errors';
import type { Snapshot } from '../../../shared/types';

export type PullDeps = ImportDeps & { jobs: JobRunner };

export interface PullOptions {
  reference: string;
  name?: string;
  workload?: string;
  /** For images in the vackup/extension layout (`/volume-data/`): the volume the snapshot holds. */
  volume?: string;
  allowSpecialFiles?: boolean;
  keepImage?: boolean;
  credentials?: { username: string; password: string };
  authSources?: AuthSources;
}

export interface PullResult {
  snapshot: Snapshot;
  reference: string;
  digest: string | null;
  keptImage: boolean;
}

/** Where vackup (`vackup save`) and Docker Desktop's Volumes Backup & Share extension put a volume in an image. */
const VACKUP_DIR = '/volume-data';

/** Starts a pull as a job, after the reference and the credentials are known to be usable. */
export async function startPull(deps: PullDeps, options: PullOptions): Promise<JobHandle<PullResult>> {
  const ref = parseImageReference(options.reference);
  const auth = await findRegistryAuth(ref.registry, { ...options.authSources, explicit: options.credentials });
  const reference = fullReference(ref);
  return deps.jobs.start(
    {
      id: JobRunner.newId(),
      kind: 'pull',
      // The workload is known only once snapshot.json is read; the job is filed under the image.
      workloadId: options.workload ?? `image:${reference}`,
      exclusive: false,
      toResult: (r: PullResult) => ({ snapshotId: r.snapshot.id, reference: r.reference, digest: r.digest }),
    },
    (ctx) => pull(ctx, deps, { ...options, ref, auth, reference }),
  );
}

async function pull(
  ctx: JobContext,
  deps: PullDeps,
  options: PullOptions & { ref: ImageReference; auth: RegistryAuth | null; reference: string },
): Promise<PullResult> {
  const { ref, reference } = options;
  // An image the user already had stays; only what this pull brought in is removed afterwards.
  const hadImage = (await inspectImage(deps.docker, reference)) !== null;
  ctx.progress({ phase: 'pulling', detail: reference, bytesDone: 0, bytesTotal: null });
  const pulled = await pullImage(deps.docker, {
    ref,
    auth: options.auth,
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.progress({
        phase: 'pulling',
        detail: reference,
        bytesDone: p.bytesDone,
        bytesTotal: p.bytesTotal,
        ratio: p.bytesTotal ? Math.min(1, p.bytesDone / p.bytesTotal) : null,
      }),
  });
  const keep = options.keepImage === true || hadImage;
  try {
    ctx.checkCancelled();
    const snapshot = await readImage(ctx, deps, pulled.imageId, options);
    markPulled(deps.db, snapshot.id, { reference, digest: pulled.digest });
    return { snapshot: deps.catalog.get(snapshot.id)!, reference, digest: pulled.digest, keptImage: keep };
  } finally {
    if (!keep) await removeImage(deps.docker, reference).catch(() => undefined);
  }
}

/** Reads the snapshot out of a created, never started container of the image, then removes the container. */
async function readImage(
  ctx: JobContext,
  deps: PullDeps,
  imageId: string,
  options: PullOptions & { reference: string },
): Promise<Snapshot> {
  const container = await createReaderContainer(deps.docker, imageId, ctx.jobId);
  try {
    const volsnap = await readContainerPath(container, `/${IMAGE_DIR}`);
    if (volsnap) {
      if (options.volume !== undefined)
        throw new VolsnapError(
          'InvalidInput',
          `${options.reference} is a Volsnap snapshot image; --volume is only for vackup/extension images. Pull it without --volume.`,
        );
      return await fromSnapshotImage(ctx, deps, volsnap, options);
    }
    const vackup = await readContainerPath(container, `${VACKUP_DIR}/.`);
    if (!vackup)
      throw refused(
        `${options.reference} is neither a Volsnap snapshot image (no /${IMAGE_DIR}/) nor a vackup/extension volume image (no ${VACKUP_DIR}/)`,
      );
    if (options.volume === undefined) {
      vackup.destroy();
      throw new VolsnapError(
        'InvalidInput',
        `${options.reference} holds one volume in the vackup/extension layout (${VACKUP_DIR}/). Say which volume it is with --volume NAME.`,
      );
    }
    ctx.progress({
      phase: 'reading',
      detail: `${VACKUP_DIR}/ as volume ${options.volume}`,
      bytesDone: 0,
      bytesTotal: null,
    });
    return await importForeign(deps, vackup, { ...options, volume: options.volume, fileName: options.reference });
  } finally {
    await removeHelper(container);
  }
}

async function fromSnapshotImage(
  ctx: JobContext,
  deps: PullDeps,
  source: Readable,
  options: PullOptions & { reference: string },
): Promise<Snapshot> {
  const set = await readSnapshotImage(deps, source, {
    name: options.name,
    workload: options.workload,
    allowSpecialFiles: options.allowSpecialFiles,
    onBytes: (bytes, total) =>
      ctx.progress({
        phase: 'reading',
        detail: 'verifying',
        bytesDone: bytes,
        bytesTotal: total,
        ratio: total ? Math.min(1, bytes / total) : null,
      }),
  });
  try {
    const doc = set.document();
    return await set.commit({
      source: 'registry',
      fileSha256: '',
      fileName: options.reference,
      originalSnapshotId: doc.snapshot.id,
      originEngine: { id: doc.snapshot.engineId, name: doc.snapshot.engineName },
    });
  } catch (error) {
    await set.abort();
    throw error;
  }
}
