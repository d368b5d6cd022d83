import type { EngineClient as Docker } from '../docker/engine';
import type { JobContext } from './jobs';
import { volatileVolumes } from '../docker/volume-info';
import { VolsnapError, type ErrorData } from '../../shared/errors';
import type { CaptureMode } from '../../shared/types';

/**
 * Memory-backed volumes (local driver, `--opt type=tmpfs`) are emptied when their last container
 * stops. A restore stops the workload before it swaps, so it would lose both the current contents
 * and the restored ones while reporting success: it is refused, before anything is touched,
 * unless a running container outside the workload keeps the volume mounted throughout. The
 * blockers are plain error data (preflight's `Blocker` shape), so this file imports nothing of restore.
 */
export async function volatileRestoreBlockers(
  docker: Docker,
  targets: { target: string }[],
  workloadContainers: { id: string }[],
): Promise<ErrorData[]> {
  const volatile = await volatileVolumes(
    docker,
    targets.map((t) => t.target),
    workloadContainers,
  );
  return volatile.map((v) => ({
    kind: 'Unsupported' as const,
    message: `Cannot restore: ${v.reason}. A restore stops the workload, which would empty it and lose both its current contents and the restored ones. Nothing was stopped or touched. To restore, recreate ${v.volumeName} as a plain volume (without --opt type=tmpfs), or keep it mounted by a container outside the workload (docker run -d -v ${v.volumeName}:/keep busybox sleep infinity), and restore again.`,
  }));
}

/**
 * Capturing a memory-backed volume works while a container keeps it mounted (`live`, `pause`),
 * with a warning that it cannot be restored into; `stop` would empty it before it is read, so it
 * is refused before any container is touched.
 */
export async function checkVolatileCapture(
  docker: Docker,
  plan: { volumes: { volumeName: string }[]; mode: CaptureMode; workload: { containers: { id: string }[] } },
  ctx: Pick<JobContext, 'progress'>,
): Promise<void> {
  // The same test as restore's: at risk unless a container outside the workload keeps it mounted.
  const names = plan.volumes.map((v) => v.volumeName);
  const volatile = await volatileVolumes(docker, names, plan.workload.containers);
  if (volatile.length === 0) return;
  if (plan.mode === 'stop') {
    throw new VolsnapError(
      'Unsupported',
      `Cannot capture with --mode stop: ${volatile.map((v) => v.reason).join('; ')}. Stopping the containers would empty it before it is read. Capture with --mode pause (consistent) or live; nothing was touched.`,
    );
  }
  for (const v of volatile) {
    ctx.progress({
      phase: 'warning',
      detail: `${v.reason}. This snapshot keeps what it holds now, but Volsnap will not restore into it while only this workload mounts it.`,
    });
  }
}
