import { humanDuration } from '../format';
import type { Job } from '../../shared/types';

/** The outcome of a finished restore: downtime, the swap window and the safety snapshot. */
export function RestoreResultView({ job }: { job: Job }) {
  const result = job.result;
  return (
    <p role="status" className="ok">
      Restored. Downtime {humanDuration(result?.downtimeMs)}
      {result?.swapWindowMs !== undefined && ` (volumes swapped in ${humanDuration(result.swapWindowMs)})`}.
      {result?.safetySnapshotId
        ? ' A safety snapshot of the previous contents was taken.'
        : ' No safety snapshot was taken.'}
    </p>
  );
}
