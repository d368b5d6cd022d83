import type { EngineClient as Docker } from '../../docker/engine';
import {
  inspectContainerState,
  setRestartPolicy,
  startContainer,
  stopContainer,
} from '../../docker/container-lifecycle';
import { engineCall, engineError } from '../../docker/engine';
import type { DiscoveredContainer } from '../../docker/workloads';
import type { JournalContainer } from './journal';
import { VolsnapError } from '../../../shared/errors';

/** Reads what the journal must remember of each container: running or not, and its restart policy. */
export async function describeContainers(
  docker: Docker,
  containers: DiscoveredContainer[],
): Promise<JournalContainer[]> {
  return Promise.all(
    containers.map(async (c) => {
      const state = await engineCall(`inspect container ${c.name}`, () => inspectContainerState(docker, c.id));
      const policy = state.restartPolicy;
      return {
        id: c.id,
        name: c.name,
        service: c.service,
        dependsOn: c.dependsOn,
        wasRunning: state.running || state.paused,
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
    await tolerate(`set the restart policy of ${c.name}`, () => setRestartPolicy(docker, c.id, policy));
  }
}

/**
 * Stops the running containers, dependents first. A running one removed meanwhile fails the stop:
 * the workload changed under the restore, which then rolls back rather than guess.
 */
export async function stopContainers(docker: Docker, containers: JournalContainer[]): Promise<void> {
  for (const c of startOrder(containers).reverse()) {
    try {
      await tolerate(`stop container ${c.name}`, () => stopContainer(docker, c.id), c.wasRunning ? [304] : [304, 404]);
    } catch (error) {
      if ((error as VolsnapError).kind !== 'NotFound') throw error;
      throw new VolsnapError(
        'Conflict',
        `Container ${c.name} was removed while the restore was stopping the workload, so nothing was swapped. Recreate it (e.g. docker compose up -d) and restore again.`,
      );
    }
  }
}

/** What starting the workload again found: containers removed meanwhile, starts that had to wait. */
export interface StartReport {
  /** Containers that ran before the restore but no longer exist (removed meanwhile): skipped. */
  gone: string[];
  /** Containers whose start Docker refused at first while it settled, and that started on a retry. */
  retried: string[];
}

export interface StartOptions {
  /** Told before each wait, so the job can say why it is waiting. */
  onRetry?: (name: string, attempt: number, reason: string) => void;
  /** How long one container's start is retried while the Engine settles (30 s). */
  settleMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Starts the containers that were running before the restore, dependencies first. One that no
 * longer exists is skipped and reported (the volumes are done; blocking on it helps no one). One
 * that Docker refuses while it settles after a restart is retried with backoff, then reported.
 */
export async function startContainers(
  docker: Docker,
  containers: JournalContainer[],
  options: StartOptions = {},
): Promise<StartReport> {
  const report: StartReport = { gone: [], retried: [] };
  for (const c of startOrder(containers)) {
    if (!c.wasRunning) continue;
    const outcome = await startOne(c, () => startContainer(docker, c.id), options);
    if (outcome !== 'started') report[outcome].push(c.name);
  }
  return report;
}

/** Starts one container: `gone` if it no longer exists, `retried` if Docker refused it at first while settling. */
export async function startOne(
  c: Pick<JournalContainer, 'name'>,
  start: () => Promise<unknown>,
  options: StartOptions,
): Promise<'started' | 'gone' | 'retried'> {
  const { settleMs = 30_000, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) } = options;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return attempt > 1 ? 'retried' : 'started';
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 304) return attempt > 1 ? 'retried' : 'started';
      if (status === 404) return 'gone';
      const reason = unsettledReason(error);
      const delay = Math.min(4000, 250 * 2 ** (attempt - 1));
      if (reason === null) throw engineError(error, `start container ${c.name}`);
      if (waited + delay > settleMs) throw staleTask(c, error, waited);
      options.onRetry?.(c.name, attempt, reason);
      await sleep(delay);
      waited += delay;
    }
  }
}

/**
 * Whether a failed start is Docker still settling after its Engine was killed: containerd keeps
 * the task of a start that was in flight, and dockerd answers 500 `task <id>: already exists`
 * until that task is gone. Returns the reason to show, or null for any other failure.
 */
export function unsettledReason(error: unknown): string | null {
  const e = error as { statusCode?: number; json?: { message?: string }; message?: string };
  const message = e.json?.message ?? e.message ?? '';
  if ((e.statusCode === 500 || e.statusCode === 409) && /\btask [0-9a-f]+: already exists\b/.test(message)) {
    return 'Docker still holds the task of a start from before the Engine stopped';
  }
  return null;
}

function staleTask(c: Pick<JournalContainer, 'name'>, error: unknown, waitedMs: number): VolsnapError {
  const detail = engineError(error, `start container ${c.name}`).message;
  return new VolsnapError(
    'Internal',
    `${detail} (retried for ${Math.round(waitedMs / 1000)} s). Docker lost track of this container's process when its Engine was killed. Restart the Docker Engine (or the machine, or Docker Desktop), or recreate the container (docker compose up -d --force-recreate), then run \`volsnap recover\`; the volumes already hold their final contents.`,
  );
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
