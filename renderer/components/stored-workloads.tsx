import { useQuery } from '@tanstack/react-query';
import { ErrorMessage } from './error-message';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { countOf, humanAge, humanBytes } from '../format';
import type { Snapshot } from '../../shared/types';

interface StoredWorkload {
  id: string;
  name: string;
  count: number;
  storedBytes: number;
  lastAt: string;
}

/**
 * The workloads the catalog has snapshots of, for when the engine cannot list the live ones: the
 * snapshots stay browsable (details, diff between snapshots, delete) while the engine is down.
 */
export function StoredWorkloads({ onOpen }: { onOpen: (workload: { id: string; name: string }) => void }) {
  const client = useClient();
  const snapshots = useQuery({ queryKey: queryKeys.snapshotsAll, queryFn: () => client.listSnapshots({}) });
  const workloads = group(snapshots.data ?? []);
  return (
    <section aria-labelledby="stored-title">
      <h2 id="stored-title">Snapshots in the store</h2>
      <ErrorMessage error={snapshots.error} />
      {snapshots.data && workloads.length === 0 && <p>No snapshots in the store yet.</p>}
      {workloads.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Workload</th>
              <th scope="col">Snapshots</th>
              <th scope="col">Stored</th>
              <th scope="col">Last snapshot</th>
            </tr>
          </thead>
          <tbody>
            {workloads.map((w) => (
              <tr key={w.id} data-workload={w.id}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => onOpen(w)}>
                    {w.name}
                  </button>
                </th>
                <td>{countOf(w.count, 'snapshot')}</td>
                <td>{humanBytes(w.storedBytes)}</td>
                <td>{humanAge(w.lastAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function group(snapshots: Snapshot[]): StoredWorkload[] {
  const byId = new Map<string, StoredWorkload>();
  for (const s of snapshots) {
    const w = byId.get(s.workloadId) ?? {
      id: s.workloadId,
      name: s.workloadName,
      count: 0,
      storedBytes: 0,
      lastAt: s.createdAt,
    };
    w.count++;
    w.storedBytes += s.storedBytes;
    if (s.createdAt > w.lastAt) w.lastAt = s.createdAt;
    byId.set(s.workloadId, w);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}
