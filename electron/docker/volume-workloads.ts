import { listVolumes, ANONYMOUS_VOLUME, type VolumeState } from './volumes';
import type { EngineClient as Docker } from './engine';
import type { WorkloadVolume } from '../../shared/types';

const PROJECT_LABEL = 'com.docker.compose.project';

/** Volumes no container mounts, sorted into the workloads they belong to (see discoverWorkloads). */
export interface UnmountedVolumes {
  /** Per compose project: its volumes, still labelled with it after `docker compose down`. */
  byProject: Map<string, WorkloadVolume[]>;
  /** Named volumes of no project: each a `volume:<name>` workload of its own. */
  alone: WorkloadVolume[];
}

/**
 * The engine's volumes that `mounted` does not hold. Anonymous ones (64 hex digits, what Docker
 * names a volume nobody named) are left out unless `anonymous`: there are usually many, from
 * removed containers, and rarely anything to keep.
 */
export async function unmountedVolumes(
  docker: Docker,
  mounted: Set<string>,
  options: { anonymous?: boolean } = {},
): Promise<UnmountedVolumes> {
  const result: UnmountedVolumes = { byProject: new Map(), alone: [] };
  for (const v of await listVolumes(docker)) {
    if (mounted.has(v.name)) continue;
    const anonymous = ANONYMOUS_VOLUME.test(v.name);
    if (anonymous && !options.anonymous) continue;
    const volume = toVolume(v, anonymous);
    const project = v.labels[PROJECT_LABEL];
    if (project) result.byProject.set(project, [...(result.byProject.get(project) ?? []), volume]);
    else result.alone.push(volume);
  }
  return result;
}

function toVolume(v: VolumeState, anonymous: boolean): WorkloadVolume {
  return { name: v.name, driver: v.driver, anonymous, mounts: [] };
}
