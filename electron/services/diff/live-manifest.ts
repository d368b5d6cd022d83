import path from 'node:path/posix';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineClient as Docker } from '../../docker/engine';
import type { VolumeRef } from './volume-pairs';
import { ManifestTap } from '../manifest-tap';
import { volumeTarNames } from '../volume-tar-names';
import { engineCall, engineError } from '../../docker/engine';
import { helperMountPath } from '../../docker/helper';
import type { DiscoveredWorkload } from '../../docker/workloads';
import type { ManifestEntry } from '../../../shared/types';

/** Where a live volume is read from: a container that mounts it, at a path inside that container. */
export interface LiveSource {
  container: Docker.Container;
  /** The volume root inside the container: a mount destination, or `/volsnap/<volume>` in a helper. */
  root: string;
}

/** A volume of the workload as it is now, and the workload container to read it through, if any. */
export interface CurrentVolume extends VolumeRef {
  /** Null when every container that mounts it has another mount nested inside it (then a helper reads it). */
  reader: { containerId: string; destination: string } | null;
}

/**
 * The workload's current volumes. A volume is read through one of the workload's own containers
 * (running, paused or stopped: the Engine's archive endpoint serves all three), so a live diff
 * creates nothing that another process's start-up sweep could remove under it. A container whose
 * mount has another mount below it would mix the two volumes in one tar: those need a helper.
 */
export function currentVolumes(workload: DiscoveredWorkload): CurrentVolume[] {
  return workload.volumes.map((volume) => {
    const mounts = volume.mounts.map((m) => {
      const container = workload.containers.find((c) => c.name === m.containerName)!;
      return { owner: container.service ?? container.name, destination: m.destination, container };
    });
    const clean = mounts.find(({ container, destination }) =>
      [...container.volumeMounts, ...container.binds].every(
        (other) => !other.destination.startsWith(`${destination}/`),
      ),
    );
    return {
      volumeName: volume.name,
      mounts: mounts.map(({ owner, destination }) => ({ owner, destination })),
      reader: clean ? { containerId: clean.container.id, destination: clean.destination } : null,
    };
  });
}

/** The source of a current volume: its reader container, or else `helper`. */
export function liveSource(docker: Docker, volume: CurrentVolume, helper: Docker.Container | null): LiveSource {
  if (volume.reader)
    return { container: docker.getContainer(volume.reader.containerId), root: volume.reader.destination };
  if (!helper) throw new Error(`volume ${volume.volumeName} needs a helper container`);
  return { container: helper, root: helperMountPath(volume.volumeName) };
}

/**
 * Streams a live volume through the same ManifestTap the capture uses and keeps only the
 * manifest: nothing is written anywhere.
 */
export async function readLiveManifest(options: {
  source: LiveSource;
  volumeName: string;
  signal: AbortSignal;
  onProgress: (tarBytes: number, files: number) => void;
}): Promise<ManifestEntry[]> {
  const { source, volumeName } = options;
  const stream = await engineCall(`read volume ${volumeName}`, () =>
    source.container.getArchive({ path: source.root }),
  );
  const rootName = path.basename(source.root);
  const tap = new ManifestTap(rootName, (totals) => options.onProgress(totals.tarBytes, totals.files));
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  try {
    // Podman names a helper's mount-point entries `/`, `/a.txt`: read them with Docker's names.
    await pipeline(stream, volumeTarNames(rootName), tap, discard, { signal: options.signal });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw engineError(error, `read volume ${volumeName}`);
  }
  return tap.result().entries;
}

/** What the Engine's stat of a path says (the `X-Docker-Container-Path-Stat` header). */
interface PathStat {
  mode: number;
  size: number;
  linkTarget: string;
}

/** Go's os.ModeDir bit, as the Engine reports a directory's mode. */
const GO_MODE_DIR = 2 ** 31;

/** Stats `target` inside the container without reading it; null when it does not exist. */
export async function statPath(container: Docker.Container, target: string): Promise<PathStat | null> {
  try {
    const response = (await container.infoArchive({ path: target })) as NodeJS.ReadableStream & {
      headers?: Record<string, string | undefined>;
    };
    response.resume();
    const header = response.headers?.['x-docker-container-path-stat'];
    if (!header) return null;
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PathStat;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw engineError(error, `look up ${target}`);
  }
}

/** True when the Engine's stat is of a directory. */
export function isDirStat(stat: PathStat): boolean {
  return stat.mode >= GO_MODE_DIR;
}

/**
 * The Engine follows symlinks in the parent folders of a path (in the container's scope), so
 * `link/passwd` could read a file outside the volume. A path whose parent is a symlink (or
 * missing) is not in the volume as such.
 */
export async function parentsInVolume(source: LiveSource, relative: string): Promise<boolean> {
  const parts = relative.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const stat = await statPath(source.container, path.join(source.root, ...parts.slice(0, i)));
    if (!stat || stat.linkTarget !== '' || !isDirStat(stat)) return false;
  }
  return true;
}
