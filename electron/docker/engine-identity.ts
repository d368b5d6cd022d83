import type Docker from 'dockerode';
import { currentEngine, engineCall, engineEndpoint } from './engine';
import type { EngineIdentity } from '../store/engine-registry';

/**
 * Who the connected engine is: `docker info`'s ID (stable across restarts, new after a reset) and
 * the name the user knows it by (the Docker context, or the endpoint when DOCKER_HOST chose it).
 */
export async function readEngineIdentity(docker: Docker): Promise<EngineIdentity> {
  const info = (await engineCall('read the engine id', () => docker.info())) as EngineInfo;
  const endpoint = engineEndpoint();
  const target = currentEngine();
  const name = target && !target.fromEnv ? target.name : endpoint;
  return { id: engineIdOf(info, endpoint), name, endpoint };
}

export interface EngineInfo {
  ID?: string;
  Name?: string;
  DockerRootDir?: string;
  /** Only Podman's compatibility API reports it (Docker has no such field). */
  BuildahVersion?: string;
}

/**
 * The engine's identity from `docker info`. Docker 23+ keeps a UUID per data root. Older engines
 * derive ID from the host-wide /etc/docker/key.json, so every dockerd on one host shares it: the data
 * root is added to tell them apart. Podman may leave ID empty, and Podman 4.3 answers a new random ID
 * on every /info call (checked by scripts/check-podman.sh), which would make every snapshot look like
 * another engine's: for Podman, and when ID is empty, its host name and storage root stand in.
 */
export function engineIdOf(info: EngineInfo, endpoint: string): string {
  const root = info.DockerRootDir ?? '';
  if (!info.ID || info.BuildahVersion) return `name:${info.Name ?? endpoint}@${root}`;
  return info.ID.includes(':') ? `${info.ID}@${root}` : info.ID;
}

/** "engine "b" (id 4f2c…)": how messages name an engine. */
export function describeEngine(name: string | null, id: string | null): string {
  return `engine "${name ?? 'unknown'}" (id ${id ?? 'unknown'})`;
}

/**
 * Why a snapshot may not be restored on the connected engine, or null. Volume names repeat across
 * engines (every laptop has a `myapp_pgdata`), so restoring another engine's snapshot would overwrite
 * an unrelated volume; snapshots from before engines were recorded restore anywhere.
 */
export async function engineMismatch(
  docker: Docker,
  snapshot: { name: string; engineId: string | null; engineName: string | null },
): Promise<string | null> {
  if (!snapshot.engineId) return null;
  const current = await readEngineIdentity(docker);
  if (current.id === snapshot.engineId) return null;
  return `Snapshot "${snapshot.name}" was captured on ${describeEngine(snapshot.engineName, snapshot.engineId)}, but Volsnap is connected to ${describeEngine(current.name, current.id)}. Restore it on its own engine (volsnap --context <name> restore …, or volsnap config set engine <name>); copying snapshots to another engine needs clone/import, which Volsnap does not offer yet.`;
}
