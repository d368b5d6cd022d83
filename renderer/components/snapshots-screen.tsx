import { useMutation, useQuery } from '@tanstack/react-query';
import { Camera, Inbox } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Panel } from 'react-resizable-panels';
import { ExportDialog } from './bundle-dialogs';
import { CloneDialog } from './clone-dialog';
import { CaptureDialog } from './capture-dialog';
import { ContextMenu } from './context-menu';
import { DeleteDialog } from './delete-dialog';
import { EditSnapshotDialog } from './edit-snapshot-dialog';
import { EmptyState } from './empty-state';
import { ErrorMessage } from './error-message';
import { PaneGroup, PaneHandle } from './panes';
import { PushDialog } from './registry-dialogs';
import { RestoreDialog } from './restore-dialog';
import { SizeChart } from './size-chart';
import { SnapshotBrowser } from './snapshot-browser';
import { snapshotActions, type SnapshotActionId } from './snapshot-action-list';
import { SnapshotDetails } from './snapshot-details';
import { SnapshotTable } from './snapshot-table';
import { StatusDot } from './status-dot';
import { Timeline } from './timeline';
import type { WorkloadRef } from './view';
import { WorkloadSchedule } from './workload-schedule';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { SHORTCUTS, ariaChord, chordLabel, useShortcut } from '../hooks/use-shortcut';
import { humanBytes } from '../format';
import type { Snapshot, Workload } from '../../shared/types';

type Dialog =
  | { kind: 'restore' | 'edit' | 'delete' | 'browse' | 'export' | 'push' | 'clone'; snapshot: Snapshot }
  | { kind: 'capture' }
  | null;

/**
 * One workload: its timeline and size chart above, the virtualized snapshot list and the selected
 * snapshot's details side by side (resizable). Click selects; double-click or Enter restores;
 * right-click or Shift+F10 opens the row's menu; Ctrl/Cmd+S captures, Ctrl/Cmd+D diffs.
 */
export function SnapshotsScreen(props: {
  workload: WorkloadRef;
  onDiff: (snapshot: Snapshot) => void;
  /** A snapshot to select on arrival (tray, palette), and a dialog to open on arrival. */
  initialSelectedId?: string;
  initialOpen?: 'restore' | 'capture';
}) {
  const { onDiff } = props;
  const client = useClient();
  const workload = useLiveWorkload(props.workload);
  const snapshots = useQuery({
    queryKey: queryKeys.snapshots(workload.id),
    queryFn: () => client.listSnapshots({ workloadId: workload.id }),
  });
  const [selectedId, setSelectedId] = useState<string | null>(props.initialSelectedId ?? null);
  const [dialog, setDialog] = useState<Dialog>(props.initialOpen === 'capture' ? { kind: 'capture' } : null);
  const [pendingRestore, setPendingRestore] = useState(props.initialOpen === 'restore');
  const [menu, setMenu] = useState<{ snapshot: Snapshot; at: { x: number; y: number } } | null>(null);
  // A snapshot deleted elsewhere (the CLI) drops out of the selection when the list refreshes.
  const selected = snapshots.data?.find((s) => s.id === selectedId) ?? null;
  const pin = useMutation({
    mutationFn: (s: Snapshot) => client.updateSnapshot({ snapshot: s.id, pinned: !s.pinned }),
  });
  const verify = useMutation({ mutationFn: (s: Snapshot) => client.verifySnapshot({ snapshot: s.id }) });
  const canCapture = workload.volumes !== undefined && workload.volumes.length > 0;
  useEffect(() => {
    if (pendingRestore && selected) {
      setPendingRestore(false);
      setDialog({ kind: 'restore', snapshot: selected });
    }
  }, [pendingRestore, selected]);
  const actionsOf = (s: Snapshot) => snapshotActions(s, { pinning: pin.isPending, verifying: verify.isPending });
  const run = (id: SnapshotActionId, s: Snapshot) => {
    setSelectedId(s.id);
    if (id === 'diff') onDiff(s);
    else if (id === 'pin') pin.mutate(s);
    else if (id === 'verify') verify.mutate(s);
    else setDialog({ kind: id, snapshot: s });
  };
  useShortcut(SHORTCUTS.capture, () => canCapture && setDialog({ kind: 'capture' }));
  useShortcut(SHORTCUTS.diff, () => selected?.status === 'ready' && onDiff(selected));
  const list = snapshots.data ?? [];
  return (
    <section aria-labelledby="snapshots-title" className="screen snapshots-screen">
      <header className="screen-header">
        {workload.status && <StatusDot state={workload.status} />}
        <h1 id="snapshots-title">{workload.name}</h1>
        {snapshots.data && (
          <span className="muted header-meta">
            {list.length.toLocaleString()} {list.length === 1 ? 'snapshot' : 'snapshots'} ·{' '}
            {humanBytes(list.reduce((n, s) => n + s.storedBytes, 0))} stored
          </span>
        )}
        {canCapture && (
          <button
            type="button"
            className="primary"
            aria-label={`Capture ${workload.name}`}
            aria-keyshortcuts={ariaChord(SHORTCUTS.capture)}
            title={`Capture (${chordLabel(SHORTCUTS.capture)})`}
            onClick={() => setDialog({ kind: 'capture' })}
          >
            <Camera aria-hidden size={15} /> Capture…
          </button>
        )}
      </header>
      <WorkloadSchedule workload={workload} canSchedule={canCapture} />
      <ErrorMessage error={snapshots.error} />
      {snapshots.data?.length === 0 && (
        <EmptyState icon={Inbox} title="No snapshots yet">
          {canCapture ? (
            <>
              <p>Capture one to be able to go back to the volumes as they are now.</p>
              <button type="button" className="primary" onClick={() => setDialog({ kind: 'capture' })}>
                <Camera aria-hidden size={15} /> Capture now
              </button>
            </>
          ) : (
            <p>Snapshots of this workload appear here once it is captured (the engine must be reachable).</p>
          )}
        </EmptyState>
      )}
      {list.length > 0 && (
        <>
          <div className="overview-row">
            <Timeline snapshots={list} selectedId={selected?.id ?? null} onSelect={(s) => setSelectedId(s.id)} />
            <SizeChart snapshots={list} />
          </div>
          <PaneGroup id="volsnap-snapshot-panes" className="snapshot-panes">
            <Panel id="list" minSize="240px" className="pane">
              <SnapshotTable
                snapshots={list}
                selectedId={selected?.id ?? null}
                onSelect={(s) => setSelectedId(s.id)}
                onOpen={(s) => run('restore', s)}
                onMenu={(snapshot, at) => setMenu({ snapshot, at })}
                onKey={(key, s) => {
                  const id = key === 'Delete' ? 'delete' : key === 'F2' ? 'edit' : null;
                  if (id) run(id, s);
                  return id !== null;
                }}
              />
            </Panel>
            <PaneHandle label="Resize the details pane" />
            <Panel id="details" defaultSize="36%" minSize="220px" className="pane">
              <SnapshotDetails
                snapshot={selected}
                actions={selected ? actionsOf(selected) : []}
                onRun={(id) => selected && run(id, selected)}
                verified={verify.data?.snapshotId === selected?.id ? verify.data : undefined}
                error={pin.error ?? verify.error}
              />
            </Panel>
          </PaneGroup>
        </>
      )}
      {menu && (
        <ContextMenu
          label={`Actions for ${menu.snapshot.name}`}
          at={menu.at}
          actions={actionsOf(menu.snapshot)}
          onRun={(id) => run(id, menu.snapshot)}
          onClose={() => setMenu(null)}
        />
      )}
      {dialog?.kind === 'restore' && <RestoreDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'edit' && <EditSnapshotDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && <DeleteDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'export' && <ExportDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'push' && <PushDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'clone' && <CloneDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'browse' && <SnapshotBrowser snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'capture' && canCapture && (
        <CaptureDialog workload={workload as Workload} onClose={() => setDialog(null)} />
      )}
    </section>
  );
}

/** The workload as the engine lists it now (volumes, status), falling back to what the caller knew. */
function useLiveWorkload(known: WorkloadRef): WorkloadRef {
  const client = useClient();
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  return workloads.data?.find((w) => w.id === known.id) ?? known;
}
