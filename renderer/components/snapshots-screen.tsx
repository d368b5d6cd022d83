import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CaptureDialog } from './capture-dialog';
import { ErrorMessage } from './error-message';
import { RestoreDialog } from './restore-dialog';
import { SizeChart } from './size-chart';
import { SnapshotActions } from './snapshot-actions';
import { SnapshotTable } from './snapshot-table';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import type { Snapshot, Workload } from '../../shared/types';

/** The snapshots of one workload: size chart, virtualized table, actions, restore on double-click. */
export function SnapshotsScreen(props: {
  workload: Pick<Workload, 'id' | 'name'> & Partial<Workload>;
  onDiff: (snapshot: Snapshot) => void;
  onBack: () => void;
  /** A snapshot to select on arrival (opened from the tray). */
  initialSelectedId?: string;
}) {
  const { workload, onDiff, onBack } = props;
  const client = useClient();
  const snapshots = useQuery({
    queryKey: queryKeys.snapshots(workload.id),
    queryFn: () => client.listSnapshots({ workloadId: workload.id }),
  });
  const [selectedId, setSelectedId] = useState<string | null>(props.initialSelectedId ?? null);
  const [restoring, setRestoring] = useState<Snapshot | null>(null);
  const [capturing, setCapturing] = useState(false);
  // A snapshot deleted elsewhere (the CLI) drops out of the selection when the list refreshes.
  const selected = snapshots.data?.find((s) => s.id === selectedId) ?? null;
  return (
    <section aria-labelledby="snapshots-title" className="snapshots-screen">
      <div className="screen-header">
        <button type="button" className="link" onClick={onBack}>
          ← Workloads
        </button>
        <h1 id="snapshots-title">Snapshots of {workload.name}</h1>
        {workload.volumes && (
          <button type="button" onClick={() => setCapturing(true)}>
            Capture…
          </button>
        )}
      </div>
      <ErrorMessage error={snapshots.error} />
      {snapshots.data && <SizeChart snapshots={snapshots.data} />}
      {snapshots.data?.length === 0 && <p>No snapshots yet.{workload.volumes ? ' Capture one to start.' : ''}</p>}
      <SnapshotActions
        snapshot={selected}
        onDiff={() => selected && onDiff(selected)}
        onRestore={() => selected && setRestoring(selected)}
      />
      {snapshots.data && snapshots.data.length > 0 && (
        <SnapshotTable
          snapshots={snapshots.data}
          selectedId={selected?.id ?? null}
          onSelect={(s) => setSelectedId(s.id)}
          onOpen={(s) => {
            setSelectedId(s.id);
            setRestoring(s);
          }}
        />
      )}
      {/* Nothing to double-click in an empty list: no hint. */}
      {snapshots.data && snapshots.data.length > 0 && (
        <p className="muted hint">Double-click a snapshot (or press Enter on it) to restore it.</p>
      )}
      {restoring && <RestoreDialog snapshot={restoring} onClose={() => setRestoring(null)} />}
      {capturing && workload.volumes && (
        <CaptureDialog workload={workload as Workload} onClose={() => setCapturing(false)} />
      )}
    </section>
  );
}
