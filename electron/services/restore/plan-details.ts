import type { EngineClient as Docker } from '../../docker/engine';
import { stopTimeouts } from '../../docker/stop-timeouts';
import type { DiscoveredWorkload } from '../../docker/workloads';
import type { JobsTable } from '../../store/jobs-table';
import type { RestorePlanDetails } from '../../../shared/restore-types';
import type { Job, Snapshot } from '../../../shared/types';

/** How far back the jobs table is searched for the last restore and the snapshot's capture. */
const JOB_HISTORY = 500;
/** A conservative rate for reading or writing a volume when nothing was measured (50 MB/s). */
const FALLBACK_BYTES_PER_MS = 50_000;
/** A container's clean stop and its start again, when nothing was measured. */
const STOP_START_MS = 2_000;

export interface PlanDetailsDeps {
  docker: Docker;
  /** Absent in tests that build a plan without a catalog of jobs. */
  jobsTable?: JobsTable;
}

/** What the restore dialog tells the user beyond the volumes: the time of the snapshot, the expected downtime, image changes. */
export async function planDetails(
  deps: PlanDetailsDeps,
  snapshot: Snapshot,
  workload: DiscoveredWorkload | null,
): Promise<RestorePlanDetails> {
  const running = (workload?.containers ?? []).filter((c) => c.state === 'running' || c.state === 'paused');
  const timeouts = await stopTimeouts(
    deps.docker,
    running.map((c) => c.id),
  );
  const jobs = deps.jobsTable?.recent(JOB_HISTORY) ?? [];
  return {
    snapshotCreatedAt: snapshot.createdAt,
    lastRestore: lastRestore(jobs, snapshot.workloadId),
    estimatedDowntimeMs: estimateDowntime(jobs, snapshot, running.length),
    stopTimeouts: running.map((c) => ({ container: c.name, seconds: timeouts.get(c.id) ?? 10 })),
    imageChanges: imageChanges(snapshot, workload),
  };
}

/** The newest successful restore of the workload that reported its downtime. */
export function lastRestore(jobs: Job[], workloadId: string): RestorePlanDetails['lastRestore'] {
  for (const job of jobs) {
    if (job.kind !== 'restore' || job.workloadId !== workloadId || job.status !== 'succeeded') continue;
    // A restore that recovery finished has no measured downtime.
    const downtimeMs = job.result?.downtimeMs;
    if (downtimeMs === undefined) continue;
    return {
      downtimeMs,
      finishedAt: job.finishedAt ?? job.startedAt,
      safetySnapshot: Boolean(job.result?.safetySnapshotId),
    };
  }
  return null;
}

/**
 * Without an earlier restore: stop and start, plus (with a safety snapshot, taken while stopped)
 * about twice the time the snapshot took to capture: once to read the volumes, once to stage.
 */
export function estimateDowntime(
  jobs: Job[],
  snapshot: Snapshot,
  containers: number,
): RestorePlanDetails['estimatedDowntimeMs'] {
  const capture = jobs.find((j) => j.kind === 'capture' && j.snapshotId === snapshot.id && j.finishedAt);
  const captureMs = capture
    ? Math.max(0, Date.parse(capture.finishedAt!) - Date.parse(capture.startedAt))
    : snapshot.sizeBytes / FALLBACK_BYTES_PER_MS;
  const stopStart = containers * STOP_START_MS;
  return { withoutSafetySnapshot: stopStart, withSafetySnapshot: stopStart + 2 * captureMs };
}

/** Containers (matched by service, else name) now running another image than at capture. */
export function imageChanges(
  snapshot: Snapshot,
  workload: DiscoveredWorkload | null,
): RestorePlanDetails['imageChanges'] {
  const captured = snapshot.provenance?.containers ?? [];
  return (workload?.containers ?? []).flatMap((current) => {
    const then = captured.find((c) => (c.service ?? c.name) === (current.service ?? current.name));
    if (!then || !then.imageId || then.imageId === current.imageId) return [];
    return [{ container: current.name, capturedImage: describeImage(then), currentImage: describeImage(current) }];
  });
}

function describeImage(image: { image: string; imageId: string }): string {
  return `${image.image} (${image.imageId.replace(/^sha256:/, '').slice(0, 12)})`;
}
