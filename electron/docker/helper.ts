import type Docker from 'dockerode';
import { engineCall, engineError } from './engine';
import { HELPER_LABEL } from './workloads';
import { VolsnapError } from '../../shared/errors';

/** Where a helper mounts a volume: `/volsnap/<volume name>`; Docker volume names are path-safe. */
export function helperMountPath(volumeName: string): string {
  return `/volsnap/${volumeName}`;
}

/** Makes sure the helper image is present, pulling it (reporting progress) when it is not. */
export async function ensureHelperImage(
  docker: Docker,
  image: string,
  onProgress: (message: string) => void = () => undefined,
): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw engineError(error, `inspect image ${image}`);
  }
  onProgress(`pulling ${image}`);
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error) => (error ? reject(error) : resolve()),
        (event: { status?: string; progress?: string }) =>
          onProgress(`${image}: ${event.status ?? ''} ${event.progress ?? ''}`.trim()),
      );
    });
  } catch (error) {
    const cause = engineError(error, `pull ${image}`);
    if (cause.kind === 'EngineUnavailable') throw cause;
    throw new VolsnapError(
      'Unsupported',
      `The helper image ${image} is not on this engine and could not be pulled (${cause.message}). Pull it yourself (docker pull ${image}) or choose another helper image in the settings.`,
    );
  }
}

export interface HelperOptions {
  image: string;
  volumes: string[];
  readOnly: boolean;
  /** Command for helpers that run (restore's rename steps, capture's listing). */
  cmd?: string[];
  /** Environment of a helper that runs (`NAME=value`). */
  env?: string[];
  jobId: string;
  /** The Engine removes the helper as it exits (one whose release must not wait for its end). */
  autoRemove?: boolean;
}

/**
 * Creates a helper container that mounts the given volumes under /volsnap/. Capture reads them
 * through the Engine's archive endpoint, which reads a created (or exited) container's volumes
 * directly, ~30× faster than streaming a `tar` through an attach stream; it starts its helper
 * only to list them first (volume-listing.ts).
 */
export async function createHelper(docker: Docker, options: HelperOptions): Promise<Docker.Container> {
  return engineCall('create a helper container', () =>
    docker.createContainer({
      Image: options.image,
      Cmd: options.cmd ?? ['true'],
      ...(options.env && { Env: options.env }),
      Labels: { [HELPER_LABEL]: options.jobId },
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        Binds: options.volumes.map((v) => `${v}:${helperMountPath(v)}${options.readOnly ? ':ro' : ''}`),
        AutoRemove: options.autoRemove ?? false,
      },
    }),
  );
}

/** Removes a helper; a helper that is already gone, or going (AutoRemove), is fine. */
export async function removeHelper(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: false });
  } catch (error) {
    if (!goneOrGoing(error)) throw engineError(error, 'remove a helper container');
  }
}

/**
 * Asks a helper whose script ends on TERM to end, without waiting for it: the Engine's kill with
 * SIGKILL (and a removal) waits until the container exited, and a helper holding a restore's old
 * files exits only once their blocks are freed (1.7-1.8 s for the bench volume). Made with
 * `autoRemove`, it is then removed by the Engine.
 */
export async function releaseHelper(container: Docker.Container): Promise<void> {
  try {
    await container.kill({ signal: 'SIGTERM' });
  } catch (error) {
    // 404: gone; 409: not running any more (or being removed).
    const { statusCode } = error as { statusCode?: number };
    if (statusCode !== 404 && statusCode !== 409) throw engineError(error, 'release a helper container');
  }
}

/** The Engine's answer for a container that no longer exists, or is being removed already. */
function goneOrGoing(error: unknown): boolean {
  const { statusCode, message } = error as { statusCode?: number; message?: string };
  return statusCode === 404 || (statusCode === 409 && /already in progress/.test(message ?? ''));
}

/**
 * Removes helpers left behind by crashed jobs: those whose job `isDeadJob` says is ours and over.
 * Helpers of jobs we do not know belong to another data dir (another store on the same engine)
 * and are left alone.
 */
export async function removeStaleHelpers(docker: Docker, isDeadJob: (jobId: string) => boolean): Promise<number> {
  const helpers = await engineCall('list helper containers', () =>
    docker.listContainers({ all: true, filters: { label: [HELPER_LABEL] } }),
  );
  const stale = helpers.filter((h) => isDeadJob(h.Labels[HELPER_LABEL] ?? ''));
  await Promise.all(stale.map((h) => removeHelper(docker.getContainer(h.Id))));
  return stale.length;
}
