/** The restore dialog's sentences, kept apart from the components so they can be tested as text. */
import { humanDuration } from './format';
import type { RestorePlan, RestorePlanDetails } from '../shared/restore-types';
import type { Job } from '../shared/types';

/** "Expected downtime: about 3 s (the last restore of this workload)", or an estimate. */
export function downtimeText(details: RestorePlanDetails, safetySnapshot: boolean): string {
  const last = details.lastRestore;
  if (last && last.safetySnapshot === safetySnapshot)
    return `Expected downtime: about ${humanDuration(last.downtimeMs)}, as the last restore of this workload.`;
  const estimate = safetySnapshot
    ? details.estimatedDowntimeMs.withSafetySnapshot
    : details.estimatedDowntimeMs.withoutSafetySnapshot;
  const why = safetySnapshot ? ' (the safety snapshot is taken while the containers are stopped)' : '';
  return `Expected downtime: about ${humanDuration(Math.max(1_000, estimate))}, an estimate${why}.`;
}

/**
 * While the containers stop, say which and for how long at most: "Stopping db (up to 10 s)". They
 * stop one after another, so the bound is the sum of their stop timeouts (Docker's default 10 s).
 */
export function stoppingText(job: Job, plan: RestorePlan | undefined): string | null {
  if (job.phase !== 'stopping' || !plan || plan.containersToStop.length === 0) return null;
  const timeouts = plan.details?.stopTimeouts ?? [];
  const bound = plan.containersToStop.reduce(
    (sum, name) => sum + (timeouts.find((t) => t.container === name)?.seconds ?? 10),
    0,
  );
  return `Stopping ${plan.containersToStop.join(', ')} (up to ${bound} s)`;
}
