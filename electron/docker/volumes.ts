import type Docker from 'dockerode';
import { engineCall, engineError } from './engine';

/** How a volume was made: what `docker volume create` needs to make it again. */
export interface VolumeSpec {
  driver: string;
  options: Record<string, string>;
  labels: Record<string, string>;
}

/** A volume as it is on the engine now. */
export interface VolumeState extends VolumeSpec {
  name: string;
  /** The Engine's CreatedAt: a volume removed and made again under the same name gets a new one. */
  createdAt: string;
}

/** Names of the engine's anonymous volumes: 64 hex digits, as Docker makes them. */
export const ANONYMOUS_VOLUME = /^[0-9a-f]{64}$/;

/** A volume, or null when there is none of that name. */
export async function inspectVolume(docker: Docker, name: string): Promise<VolumeState | null> {
  try {
    const info = (await docker.getVolume(name).inspect()) as Docker.VolumeInspectInfo & { CreatedAt?: string };
    return {
      name: info.Name,
      driver: info.Driver,
      options: info.Options ?? {},
      labels: info.Labels ?? {},
      createdAt: info.CreatedAt ?? '',
    };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw engineError(error, `inspect volume ${name}`);
  }
}

/** Every volume on the engine, with its labels. */
export async function listVolumes(docker: Docker): Promise<VolumeState[]> {
  const listed = await engineCall('list volumes', () => docker.listVolumes());
  return (listed.Volumes ?? []).map((v) => {
    const info = v as Docker.VolumeInspectInfo & { CreatedAt?: string };
    return {
      name: info.Name,
      driver: info.Driver,
      options: info.Options ?? {},
      labels: info.Labels ?? {},
      createdAt: info.CreatedAt ?? '',
    };
  });
}

/**
 * Creates a volume and returns it as the Engine then has it. Docker answers a create of an
 * existing name (same driver) with that existing volume and no error: callers compare the labels
 * they asked for with the returned ones to know whether this call made it.
 */
export async function createVolume(docker: Docker, name: string, spec: VolumeSpec): Promise<VolumeState> {
  await engineCall(`create volume ${name}`, () =>
    docker.createVolume({ Name: name, Driver: spec.driver, DriverOpts: spec.options, Labels: spec.labels }),
  );
  const made = await inspectVolume(docker, name);
  if (!made) throw engineError(new Error('it vanished right after its creation'), `create volume ${name}`);
  return made;
}

/** Removes a volume; one already gone is fine. Rejects (409) while a container uses it. */
export async function removeVolume(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw engineError(error, `remove volume ${name}`);
  }
}
