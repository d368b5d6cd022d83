import { useQuery } from '@tanstack/react-query';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { humanDate, humanDuration } from '../format';
import type { Job } from '../../shared/types';

/** The outcome of a finished restore: downtime, the swap window, and the safety snapshot by name with its expiry. */
export function RestoreResultView({ job }: { job: Job }) {
  const result = job.kind === 'restore' ? job.result : null;
  return (
    <div role="status" className="ok restore-result">
      <p>
        Restored. Downtime {humanDuration(result?.downtimeMs)}
        {result?.swapWindowMs !== undefined && ` (volumes swapped in ${humanDuration(result.swapWindowMs)})`}.
      </p>
      {result?.safetySnapshotId ? (
        <SafetySnapshotLine snapshotId={result.safetySnapshotId} />
      ) : (
        <p>No safety snapshot was taken.</p>
      )}
    </div>
  );
}

function SafetySnapshotLine({ snapshotId }: { snapshotId: string }) {
  const client = useClient();
  const safety = useQuery({
    queryKey: queryKeys.snapshot(snapshotId),
    queryFn: () => client.showSnapshot({ snapshot: snapshotId }),
  });
  if (!safety.data) return <p>A safety snapshot of the previous contents was taken.</p>;
  const { name, expiresAt, pinned } = safety.data;
  return (
    <p>
      The previous contents are in the safety snapshot <strong>{name}</strong>
      {pinned || !expiresAt ? ', kept until you delete it.' : `, kept until ${humanDate(expiresAt)}.`}
    </p>
  );
}
