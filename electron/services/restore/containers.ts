import type Docker from 'dockerode';
import { engineCall, engineError } from '../../docker/engine';
import type { DiscoveredContainer } from '../../docker/workloads';
import type { JournalContainer } from './journal';

/** Reads what the journal must remember of each container: running or not, and its restart policy. */
export async function describeContainers(
  docker: Docker,
  containers: DiscoveredContainer[],
): Promise<JournalContainer[]> {
  return Promise.all(
    containers.map(async (c) => {
      const info = await engineCall(`inspect container ${c.name}`, () => docker.getContainer(c.id).inspect());
      const policy = info.HostConfig.RestartPolicy;
      return {
        id: c.id,
        name: c.name,
        service: c.service,
        dependsOn: c.dependsOn,
        wasRunning: info.State.Running || info.State.Paused,
        restartPolicy: { Name: policy?.Name || 'no', MaximumRetryCount: policy?.MaximumRetryCount ?? 0 },
      };
    }),
  );
}

/**
 * Sets every container's restart policy to `no` (so a daemon restart cannot start a half-swapped
 * workload) or back to the journaled one. Idempotent; a container removed meanwhile is skipped.
 */
export async function applyRestartPolicies(
  docker: Docker,
  containers: JournalContainer[],
  which: 'none' | 'journaled',
): Promise<void> {
  for (const c of containers) {
    const policy = which === 'none' ? { Name: 'no', MaximumRetryCount: 0 } : c.restartPolicy;
    await tolerate(`set the restart policy of ${c.name}`, () =>
      docker.getContainer(c.id).update({ RestartPolicy: policy }),
    );
  }
}

/** Stops the running containers, dependents first. */
export async function stopContainers(docker: Docker, containers: JournalContainer[]): Promise<void> {
  for (const c of startOrder(containers).reverse()) {
    await tolerate(
      `stop container ${c.name}`,
      () => docker.getContainer(c.id).stop(),
      c.wasRunning ? [304] : [304, 404],
    );
  }
}

/** Starts the containers that were running before the restore, dependencies first. */
export async function startContainers(docker: Docker, containers: JournalContainer[]): Promise<void> {
  for (const c of startOrder(containers)) {
    if (!c.wasRunning) continue;
    await tolerate(`start container ${c.name}`, () => docker.getContainer(c.id).start(), [304]);
  }
}

/** Compose `depends_on` order (dependencies first), ties and standalone containers by name. */
export function startOrder(containers: JournalContainer[]): JournalContainer[] {
  const byService = new Map(containers.filter((c) => c.service).map((c) => [c.service!, c]));
  const sorted = [...containers].sort((a, b) => a.name.localeCompare(b.name));
  const done = new Set<JournalContainer>();
  const visiting = new Set<JournalContainer>();
  const order: JournalContainer[] = [];
  const visit = (c: JournalContainer) => {
    if (done.has(c) || visiting.has(c)) return; // a cycle: fall back to name order
    visiting.add(c);
    for (const dep of [...c.dependsOn].sort()) {
      const target = byService.get(dep);
      if (target) visit(target);
    }
    visiting.delete(c);
    done.add(c);
    order.push(c);
  };
  sorted.forEach(visit);
  return order;
}

/** Runs an Engine call where some statuses mean "already so" (304) or "gone" (404). */
async function tolerate(what: string, call: () => Promise<unknown>, ok: number[] = [404]): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!ok.includes((error as { statusCode?: number }).statusCode ?? 0)) throw engineError(error, what);
  }
}
