import { humanBytes, humanDate } from '../format';
import type { StoreUsage } from '../../shared/usage-types';

/** Per workload: its snapshots, their size alone, and what deleting all of them frees. */
export function StorageWorkloadsTable({ usage }: { usage: StoreUsage }) {
  if (usage.workloads.length === 0) return <p className="muted">No snapshots yet.</p>;
  const largest = Math.max(...usage.workloads.map((w) => w.freesBytes), 1);
  return (
    <table className="data-table storage-table" aria-label="Storage by workload">
      <thead>
        <tr>
          <th scope="col">Workload</th>
          <th scope="col">Snapshots</th>
          <th scope="col">Size alone</th>
          <th scope="col">Deleting all frees</th>
        </tr>
      </thead>
      <tbody>
        {usage.workloads.map((w) => (
          <tr key={w.workloadId}>
            <td>{w.workloadName}</td>
            <td>{w.snapshotCount}</td>
            <td>{humanBytes(w.aloneBytes)}</td>
            <td>
              <Bytes bytes={w.freesBytes} largest={largest} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Per snapshot, newest first: what it would cost alone and what deleting it frees now. */
export function StorageSnapshotsTable({ usage }: { usage: StoreUsage }) {
  if (usage.snapshots.length === 0) return null;
  const largest = Math.max(...usage.snapshots.map((s) => s.freesBytes), 1);
  return (
    <table className="data-table storage-table" aria-label="Storage by snapshot">
      <thead>
        <tr>
          <th scope="col">Snapshot</th>
          <th scope="col">Workload</th>
          <th scope="col">Created</th>
          <th scope="col">Size alone</th>
          <th scope="col">Deleting frees</th>
        </tr>
      </thead>
      <tbody>
        {usage.snapshots.map((s) => (
          <tr key={s.id}>
            <td>
              {s.name}
              {s.pinned && <span className="badge">pinned</span>}
              {s.status !== 'ready' && <span className="badge">{s.status}</span>}
            </td>
            <td>{s.workloadName}</td>
            <td title={s.createdAt}>{humanDate(s.createdAt)}</td>
            <td>{humanBytes(s.aloneBytes)}</td>
            <td>
              <Bytes bytes={s.freesBytes} largest={largest} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The figure with a bar scaled to the largest in its table, so the big ones stand out. */
function Bytes({ bytes, largest }: { bytes: number; largest: number }) {
  return (
    <span className="storage-bytes">
      <span className="storage-track" aria-hidden>
        <span className="storage-bar" style={{ width: `${Math.max(2, (bytes / largest) * 100)}%` }} />
      </span>
      <span>{humanBytes(bytes)}</span>
    </span>
  );
}
