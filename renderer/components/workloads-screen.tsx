import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CaptureDialog } from './capture-dialog';
import { ErrorMessage } from './error-message';
import { StoredWorkloads } from './stored-workloads';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useNow } from '../hooks/use-now';
import { humanAge, humanBytes } from '../format';
import { VolsnapError } from '../../shared/errors';
import type { Workload } from '../../shared/types';

/** Every workload on the engine: status, containers, volumes, stored size, last snapshot. */
export function WorkloadsScreen({
  onOpen,
  onOpenStored,
}: {
  onOpen: (workload: Workload) => void;
  /** Opens a workload known only from the catalog (the engine is down). */
  onOpenStored: (workload: { id: string; name: string }) => void;
}) {
  const client = useClient();
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  const [capturing, setCapturing] = useState<Workload | null>(null);
  const now = useNow(10_000);
  return (
    <section aria-labelledby="workloads-title">
      <h1 id="workloads-title">Workloads</h1>
      {/* An unreachable engine is already explained (with Retry) by the banner above. */}
      {!isEngineDown(workloads.error) && <ErrorMessage error={workloads.error} />}
      {isEngineDown(workloads.error) && <StoredWorkloads onOpen={onOpenStored} />}
      {workloads.data?.length === 0 && <p>No containers on this engine yet.</p>}
      {workloads.data && workloads.data.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Workload</th>
              <th scope="col">Status</th>
              <th scope="col">Containers</th>
              <th scope="col">Volumes</th>
              <th scope="col">Stored</th>
              <th scope="col">Last snapshot</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {workloads.data.map((w) => (
              <tr key={w.id} data-workload={w.id}>
                <th scope="row">
                  <button
                    type="button"
                    className="link"
                    onClick={() => onOpen(w)}
                    aria-label={`Open snapshots of ${w.name}`}
                  >
                    {w.name}
                  </button>
                  <span className="muted"> {w.kind}</span>
                </th>
                <td>
                  <span className={`status status-${w.status}`}>{w.status}</span>
                </td>
                <td>{w.containers.map((c) => c.name).join(', ')}</td>
                <td>{w.volumes.map((v) => v.name).join(', ') || '–'}</td>
                <td>{humanBytes(w.snapshotBytes)}</td>
                <td>{humanAge(w.lastSnapshotAt, now)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => setCapturing(w)}
                    disabled={w.volumes.length === 0}
                    aria-label={`Capture ${w.name}`}
                  >
                    Capture…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {capturing && <CaptureDialog workload={capturing} onClose={() => setCapturing(null)} />}
    </section>
  );
}

function isEngineDown(error: unknown): boolean {
  return error instanceof VolsnapError && error.kind === 'EngineUnavailable';
}
