import type { Readable } from 'node:stream';
import { IMAGE_DIR } from './image-layer';
import { readSnapshotImage } from './image-reader';
import { refused } from '../bundle/bundle-format';
import { importForeign } from '../bundle/foreign-import';
import type { ImportDeps, ImportOptions } from '../bundle/volume-set-import';
import { JobRunner, type JobContext, type JobHandle } from '../jobs';
import { crashPoint } from '../restore/crash';
import { removeHelper } from '../../docker/helper';
import { fullReference, parseImageReference, type ImageReference } from '../../docker/image-reference';
import { createReaderContainer, inspectImage, pullImage, readContainerPath, removeImage } from '../../docker/images';
import { findRegistryAuth, type AuthSources, type RegistryAuth } from '../../docker/registry-auth';
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

/** The image a pull read, as its snapshot records it. */
type Pulled = { reference: string; pulledFrom: NonNullable<ImportOptions['pulledFrom']> };

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
  // A crash from here on leaves the pulled image tagged on the Engine, as `docker pull` would.
  crashPoint('pull-image-pulled');
  try {
    ctx.checkCancelled();
    // The commit records trigger `pull` and the image in the same transaction as the snapshot.
    const pulledFrom = { reference, digest: pulled.digest };
    const snapshot = await readImage(ctx, deps, pulled.imageId, { ...options, pulledFrom });
    return { snapshot, reference, digest: pulled.digest, keptImage: keep };
  } finally {
    if (!keep) await removeImage(deps.docker, reference).catch(() => undefined);
  }
}

/** Reads the snapshot out of a created, never started container of the image, then removes the container. */
async function readImage(
  ctx: JobContext,
  deps: PullDeps,
  imageId: string,
  options: PullOptions & Pulled,
): Promise<Snapshot> {
  const container = await createReaderContainer(deps.docker, imageId, ctx.jobId);
  // A crash from here on leaves the container; its label names this job, so the next sweep removes it.
  crashPoint('pull-reader-created');
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
  options: PullOptions & Pulled,
): Promise<Snapshot> {
  const set = await readSnapshotImage(deps, source, {
    name: options.name,
    workload: options.workload,
    allowSpecialFiles: options.allowSpecialFiles,
    pulledFrom: options.pulledFrom,
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
