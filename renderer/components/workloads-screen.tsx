import { useQuery } from '@tanstack/react-query';
import { Camera, Container } from 'lucide-react';
import { useState } from 'react';
import { CaptureDialog } from './capture-dialog';
import { EmptyState } from './empty-state';
import { ErrorMessage } from './error-message';
import { StatusDot } from './status-dot';
import { StoredWorkloads } from './stored-workloads';
import type { WorkloadRef } from './view';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useNow } from '../hooks/use-now';
import { humanAge, humanBytes } from '../format';
import { VolsnapError } from '../../shared/errors';
import type { Workload } from '../../shared/types';

/** Every workload on the engine at a glance: status, containers, volumes, stored size, last snapshot, capture. */
export function WorkloadsScreen({ onOpen }: { onOpen: (workload: WorkloadRef) => void }) {
  const client = useClient();
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  const [capturing, setCapturing] = useState<Workload | null>(null);
  const now = useNow(10_000);
  const engineDown = isEngineDown(workloads.error);
  return (
    <section aria-labelledby="workloads-title" className="screen">
      <header className="screen-header">
        <h1 id="workloads-title">All workloads</h1>
      </header>
      {/* An unreachable engine is already explained (with Retry) by the banner above. */}
      {!engineDown && <ErrorMessage error={workloads.error} />}
      {engineDown && <StoredWorkloads onOpen={onOpen} />}
      {workloads.data?.length === 0 && (
        <EmptyState icon={Container} title="No containers on this engine yet.">
          <p>
            Start a container or a Compose project with a named volume (for example <code>docker compose up -d</code>);
            it appears here and in the sidebar, ready to capture.
          </p>
        </EmptyState>
      )}
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
                  <button type="button" className="link" onClick={() => onOpen(w)}>
                    {w.name}
                  </button>
                  <span className="muted"> {w.kind}</span>
                </th>
                <td>
                  <span className="status-cell">
                    <StatusDot state={w.status} />
                    {w.status}
                  </span>
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
                    title={w.volumes.length === 0 ? 'No named volume to capture' : undefined}
                  >
                    <Camera aria-hidden size={15} /> Capture…
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
