import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { engineCall, engineError } from './engine';
import { fullReference, type ImageReference } from './image-reference';
import { registryAuthError, type RegistryAuth } from './registry-auth';
import { HELPER_LABEL } from './workloads';
import { VolsnapError } from '../../shared/errors';

/** Bytes moved so far by a push or pull, summed over its layers. */
export interface TransferProgress {
  bytesDone: number;
  bytesTotal: number | null;
}

interface ProgressEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
  aux?: { Digest?: string };
}

/**
 * Imports a tar stream as a one-layer image (POST /images/create?fromSrc=-, what `docker import`
 * does): the tar's files become the layer as they are, with `labels`. Returns the image id.
 */
export async function importImage(
  docker: Docker,
  options: { tar: Readable; tag: string; labels: Record<string, string>; signal?: AbortSignal },
): Promise<string> {
  const [repo, tag] = splitTag(options.tag);
  const changes = Object.entries(options.labels).map(([k, v]) => `LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`);
  const stream = await engineCall('import the snapshot image', () =>
    docker.importImage(options.tar, { repo, tag, changes, abortSignal: options.signal } as object),
  );
  const events = await followStream(docker, stream as Readable, () => undefined);
  const id = [...events].reverse().find((e) => e.status?.startsWith('sha256:'))?.status;
  if (!id) throw new VolsnapError('Internal', 'The Engine imported the image but did not say its id.');
  return id;
}

/** Pushes `ref` (with its tag) through the Engine; returns the manifest digest the registry stored. */
export async function pushImage(
  docker: Docker,
  options: {
    ref: ImageReference;
    auth: RegistryAuth | null;
    onProgress: (p: TransferProgress) => void;
    signal?: AbortSignal;
  },
): Promise<string> {
  const { ref, auth } = options;
  const stream = await registryCall(ref, auth, 'push', () =>
    docker.getImage(ref.name).push({
      tag: ref.tag ?? 'latest',
      ...(auth ? { authconfig: auth } : { authconfig: { serveraddress: ref.registry } }),
      abortSignal: options.signal,
    } as object),
  );
  const events = await followTransfer(docker, stream as Readable, 'Pushing', options.onProgress).catch(
    (error: unknown) => {
      throw registryFailure(ref, auth, 'push', error);
    },
  );
  const digest = events.find((e) => e.aux?.Digest)?.aux?.Digest;
  if (!digest) throw new VolsnapError('Internal', `The Engine pushed ${fullReference(ref)} but reported no digest.`);
  return digest;
}

/** Pulls `ref` through the Engine; returns the local image id and the registry digest. */
export async function pullImage(
  docker: Docker,
  options: {
    ref: ImageReference;
    auth: RegistryAuth | null;
    onProgress: (p: TransferProgress) => void;
    signal?: AbortSignal;
  },
): Promise<{ imageId: string; digest: string | null }> {
  const { ref, auth } = options;
  const stream = await registryCall(ref, auth, 'pull', () =>
    docker.createImage(auth ?? { serveraddress: ref.registry }, {
      fromImage: ref.name,
      tag: ref.digest ?? ref.tag ?? 'latest',
      abortSignal: options.signal,
    } as object),
  );
  const events = await followTransfer(docker, stream as Readable, 'Downloading', options.onProgress).catch(
    (error: unknown) => {
      throw registryFailure(ref, auth, 'pull', error);
    },
  );
  const said = events.map((e) => /^Digest: (sha256:[0-9a-f]{64})/.exec(e.status ?? '')?.[1]).find(Boolean);
  const info = await inspectImage(docker, fullReference(ref));
  if (!info) throw new VolsnapError('Internal', `The Engine pulled ${fullReference(ref)} but does not list it.`);
  const repoDigest = info.repoDigests.find((d) => d.startsWith(`${ref.name}@`))?.split('@')[1];
  return { imageId: info.id, digest: said ?? repoDigest ?? ref.digest };
}

/** The image's id, labels and registry digests; null when the Engine has no such image. */
export async function inspectImage(
  docker: Docker,
  reference: string,
): Promise<{ id: string; labels: Record<string, string>; repoDigests: string[]; size: number } | null> {
  try {
    const info = await docker.getImage(reference).inspect();
    return {
      id: info.Id,
      labels: info.Config?.Labels ?? {},
      repoDigests: info.RepoDigests ?? [],
      size: info.Size,
    };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw engineError(error, `inspect image ${reference}`);
  }
}

/** Removes an image reference (untag; the layers go with the last reference). Gone already is fine. */
export async function removeImage(docker: Docker, reference: string): Promise<void> {
  try {
    await docker.getImage(reference).remove({ noprune: false });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404) throw engineError(error, `remove image ${reference}`);
  }
}

/**
 * Creates a container of `image` that is never started (the image may have no program at all):
 * the archive endpoint reads its files. Labelled like a helper so the sweep removes a leftover.
 */
export async function createReaderContainer(docker: Docker, image: string, jobId: string): Promise<Docker.Container> {
  return engineCall('create a container to read the image', () =>
    docker.createContainer({
      Image: image,
      Cmd: ['/volsnap-never-started'],
      Labels: { [HELPER_LABEL]: jobId },
      NetworkDisabled: true,
      HostConfig: { NetworkMode: 'none' },
    }),
  );
}

/** A tar stream of `path` inside a container (GET /containers/{id}/archive); NotFound when missing. */
export async function readContainerPath(container: Docker.Container, path: string): Promise<Readable | null> {
  try {
    return (await container.getArchive({ path })) as Readable;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw engineError(error, `read ${path} from the pulled image`);
  }
}

function sumLayers(layers: Map<string, { current: number; total: number }>): TransferProgress {
  let done = 0;
  let total = 0;
  for (const l of layers.values()) {
    done += l.current;
    total += l.total;
  }
  return { bytesDone: done, bytesTotal: total > 0 ? total : null };
}

function splitTag(reference: string): [string, string] {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/')
    ? [reference.slice(0, colon), reference.slice(colon + 1)]
    : [reference, 'latest'];
}

/** Reads a JSON-lines progress stream to its end; an `error` event rejects with its message. */
function followStream(
  docker: Docker,
  stream: Readable,
  onEvent: (event: ProgressEvent) => void,
): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: ProgressEvent[]) => {
        // The Engine reports a failed push or pull as an `error` event in a 200 response.
        const failed = events?.find((e) => e.error || e.errorDetail?.message);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve(events);
      },
      onEvent,
    );
  });
}

/** An Engine call that talks to a registry: a refusal becomes the registry's error, not an Engine one. */
async function registryCall<T>(
  ref: ImageReference,
  auth: RegistryAuth | null,
  verb: 'push' | 'pull',
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw registryFailure(ref, auth, verb, error);
  }
}

function registryFailure(ref: ImageReference, auth: RegistryAuth | null, verb: 'push' | 'pull', error: unknown) {
  if (error instanceof VolsnapError) return error;
  const raw = error as { statusCode?: number; json?: { message?: string }; message?: string };
  const message = raw.json?.message ?? raw.message ?? String(error);
  const authError = registryAuthError(ref.registry, message, auth !== null);
  if (authError) return authError;
  if (raw.statusCode === undefined && /ECONNREFUSED|ENOENT|EACCES/.test(message) && !message.includes(ref.registry))
    return engineError(error, `${verb} ${fullReference(ref)}`);
  if (/manifest unknown|not found/i.test(message) && verb === 'pull')
    return new VolsnapError(
      'NotFound',
      `The registry ${ref.registry} has no image ${fullReference(ref)} (${message}). Check the reference and tag.`,
    );
  if (raw.statusCode === 404 && verb === 'push')
    return new VolsnapError('Internal', `The image to push (${fullReference(ref)}) is no longer on the Engine.`);
  return new VolsnapError(
    'Unsupported',
    `Could not ${verb} ${fullReference(ref)} through the Engine: ${message}. Check that the registry ${ref.registry} is reachable from the Engine (and, for a plain-HTTP registry, listed in the Engine's insecure-registries).`,
  );
}

/** Follows a push or pull stream, reporting the bytes of the layers in `status` (Pushing, Downloading) summed. */
function followTransfer(
  docker: Docker,
  stream: Readable,
  status: 'Pushing' | 'Downloading',
  onProgress: (p: TransferProgress) => void,
): ReturnType<typeof followStream> {
  const layers = new Map<string, { current: number; total: number }>();
  return followStream(docker, stream, (event) => {
    if (event.status !== status || !event.id) return;
    layers.set(event.id, { current: event.progressDetail?.current ?? 0, total: event.progressDetail?.total ?? 0 });
    onProgress(sumLayers(layers));
  });
}
