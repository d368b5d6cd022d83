import type Docker from 'dockerode';
import { engineCall } from './engine';
import { unmountedVolumes, type UnmountedVolumes } from './volume-workloads';
import type { BindMount, ContainerInfo, Workload, WorkloadVolume } from '../../shared/types';

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
const DEPENDS_LABEL = 'com.docker.compose.depends_on';
/** Our own helper containers carry this label and are never shown as workloads. */
export const HELPER_LABEL = 'io.volsnap.helper';

/** A container as discovery sees it: our DTO plus its mounts, kept for capture and restore. */
export interface DiscoveredContainer extends ContainerInfo {
  volumeMounts: { volumeName: string; destination: string; readOnly: boolean; driver: string }[];
  binds: { source: string; destination: string }[];
}

export interface DiscoveredWorkload extends Omit<Workload, 'containers' | 'lastSnapshotAt' | 'snapshotBytes'> {
  containers: DiscoveredContainer[];
}

/**
 * Lists workloads: compose projects and standalone containers, with their volumes and bind mounts;
 * a compose project whose containers are gone but whose volumes remain (`removed`); and each named
 * volume no container mounts and no project claims (`volume:<name>`). Anonymous volumes no
 * container mounts only with `anonymous`.
 */
export async function discoverWorkloads(
  docker: Docker,
  options: { anonymous?: boolean } = {},
): Promise<DiscoveredWorkload[]> {
  const [containers, images] = await Promise.all([
    engineCall('list containers', () => docker.listContainers({ all: true })),
    engineCall('list images', () => docker.listImages()),
  ]);
  const digests = new Map(images.map((i) => [i.Id, i.RepoDigests?.[0] ?? null]));
  const inspected = await Promise.all(
    containers
      .filter((c) => c.Labels?.[HELPER_LABEL] === undefined)
      .map((c) => engineCall('inspect a container', () => docker.getContainer(c.Id).inspect()).catch(() => null)),
  );
  const groups = new Map<string, { name: string; kind: 'compose' | 'container'; members: DiscoveredContainer[] }>();
  for (const info of inspected) {
    if (!info) continue; // removed between list and inspect
    const container = toContainer(info, digests);
    const project = info.Config.Labels?.[PROJECT_LABEL];
    const id = project ? `compose:${project}` : `container:${container.name}`;
    const group = groups.get(id) ?? {
      name: project ?? container.name,
      kind: project ? 'compose' : 'container',
      members: [],
    };
    group.members.push(container);
    groups.set(id, group);
  }
  const mounted = new Set(
    [...groups.values()].flatMap((g) => g.members.flatMap((c) => c.volumeMounts.map((m) => m.volumeName))),
  );
  const unmounted = await unmountedVolumes(docker, mounted, options);
  return [
    ...[...groups.entries()].map(([id, g]) => toWorkload(id, g.name, g.kind, g.members)),
    ...volumeOnlyWorkloads(unmounted, new Set(groups.keys())),
  ].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** Workloads made of volumes alone: removed compose projects, and volumes of their own. */
function volumeOnlyWorkloads(unmounted: UnmountedVolumes, withContainers: Set<string>): DiscoveredWorkload[] {
  const workload = (id: string, name: string, kind: 'compose' | 'volume', volumes: WorkloadVolume[]) => ({
    id,
    name,
    kind,
    status: 'stopped' as const,
    containers: [],
    volumes: volumes.sort((a, b) => a.name.localeCompare(b.name)),
    bindMounts: [],
    imageBased: true,
  });
  const removed = [...unmounted.byProject.entries()]
    // A project that still has containers keeps its discovered volumes (the mounted ones) as before.
    .filter(([project]) => !withContainers.has(`compose:${project}`))
    .map(([project, volumes]) => ({ ...workload(`compose:${project}`, project, 'compose', volumes), removed: true }));
  return [...removed, ...unmounted.alone.map((v) => workload(`volume:${v.name}`, v.name, 'volume', [v]))];
}

function rank(w: DiscoveredWorkload): number {
  return w.status === 'stopped' ? 1 : 0;
}

function toContainer(info: Docker.ContainerInspectInfo, digests: Map<string, string | null>): DiscoveredContainer {
  const labels = info.Config.Labels ?? {};
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    service: labels[SERVICE_LABEL] ?? null,
    state: info.State.Status,
    image: info.Config.Image,
    imageId: info.Image,
    imageDigest: digests.get(info.Image) ?? null,
    imagePresent: digests.has(info.Image),
    restartPolicy: info.HostConfig.RestartPolicy?.Name || 'no',
    dependsOn: parseDependsOn(labels[DEPENDS_LABEL]),
    volumeMounts: (info.Mounts ?? [])
      .filter((m) => m.Type === 'volume' && m.Name)
      .map((m) => ({ volumeName: m.Name!, destination: m.Destination, readOnly: !m.RW, driver: m.Driver ?? 'local' })),
    binds: (info.Mounts ?? [])
      .filter((m) => m.Type === 'bind')
      .map((m) => ({ source: m.Source, destination: m.Destination })),
  };
}

/** Compose writes `svc:condition:restart,...` into the depends_on label. */
export function parseDependsOn(label: string | undefined): string[] {
  if (!label) return [];
  return label
    .split(',')
    .map((part) => part.split(':')[0]!.trim())
    .filter((name) => name.length > 0);
}

function toWorkload(
  id: string,
  name: string,
  kind: 'compose' | 'container',
  members: DiscoveredContainer[],
): DiscoveredWorkload {
  members.sort((a, b) => a.name.localeCompare(b.name));
  const volumes = new Map<string, WorkloadVolume>();
  const bindMounts: BindMount[] = [];
  for (const c of members) {
    for (const m of c.volumeMounts) {
      const volume = volumes.get(m.volumeName) ?? {
        name: m.volumeName,
        driver: m.driver,
        anonymous: /^[0-9a-f]{64}$/.test(m.volumeName),
        mounts: [],
      };
      volume.mounts.push({ containerName: c.name, destination: m.destination, readOnly: m.readOnly });
      volumes.set(m.volumeName, volume);
    }
    for (const b of c.binds)
      bindMounts.push({ containerName: c.name, source: b.source, destination: b.destination, capturable: false });
  }
  const running = members.filter((c) => c.state === 'running' || c.state === 'paused').length;
  return {
    id,
    name,
    kind,
    status: running === 0 ? 'stopped' : running === members.length ? 'running' : 'partial',
    containers: members,
    volumes: [...volumes.values()].sort((a, b) => a.name.localeCompare(b.name)),
    bindMounts,
    imageBased: members.every((c) => c.imagePresent),
  };
}

/** Strips discovery-only fields so the DTO carries no Docker shapes. */
export function toWorkloadDto(
  w: DiscoveredWorkload,
  extra: Pick<Workload, 'lastSnapshotAt' | 'snapshotBytes'>,
): Workload {
  return {
    ...w,
    containers: w.containers.map(({ volumeMounts: _v, binds: _b, ...c }) => c),
    ...extra,
  };
}
