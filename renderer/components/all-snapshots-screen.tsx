import { useMutation, useQuery } from '@tanstack/react-query';
import { Download, FileUp } from 'lucide-react';
import { useMemo, useState } from 'react';
import { Panel } from 'react-resizable-panels';
import { filterAndSort, toRows, type Sort } from './all-snapshots-filter';
import { AllSnapshotsList } from './all-snapshots-list';
import { ExportDialog, ImportDialog } from './bundle-dialogs';
import { CloneDialog } from './clone-dialog';
import { DeleteDialog } from './delete-dialog';
import { EditSnapshotDialog } from './edit-snapshot-dialog';
import { ErrorMessage } from './error-message';
import { PaneGroup, PaneHandle } from './panes';
import { PullDialog, PushDialog } from './registry-dialogs';
import { RestoreDialog } from './restore-dialog';
import { snapshotActions, type SnapshotActionId } from './snapshot-action-list';
import { SnapshotBrowser } from './snapshot-browser';
import { SnapshotDetails } from './snapshot-details';
import { triggerLabel } from './trigger-shape';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { countOf, humanBytes } from '../format';
import type { Snapshot, Trigger } from '../../shared/types';

const TRIGGERS: Trigger[] = ['manual', 'tray', 'schedule', 'pre-restore', 'cli'];
const FILL = { flex: '1 1 0', minHeight: 380 } as const;
type Dialog =
  | { kind: 'restore' | 'edit' | 'delete' | 'browse' | 'export' | 'push' | 'clone'; snapshot: Snapshot }
  | { kind: 'import' | 'pull' }
  | null;

/**
 * Every snapshot in the store in one list, including those of removed workloads (marked) and,
 * with a filter, those of other engines; search by name, note or workload; filter by trigger and
 * pinned; sort by date or size. Click selects (details and actions as in the workload view);
 * double-click or Enter opens the restore dialog. The whole catalog comes in one answer and the
 * list is virtualized (docs/decisions.md, "All snapshots: one answer, a virtualized list").
 */
export function AllSnapshotsScreen({ onDiff }: { onDiff: (snapshot: Snapshot) => void }) {
  const client = useClient();
  const store = useQuery({ queryKey: queryKeys.storeSnapshots, queryFn: () => client.listAllSnapshots({}) });
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  const [query, setQuery] = useState('');
  const [trigger, setTrigger] = useState<Trigger | ''>('');
  const [pinnedOnly, setPinnedOnly] = useState(false);
  const [otherEngines, setOtherEngines] = useState(false);
  const [sort, setSort] = useState<Sort>('newest');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const pin = useMutation({
    mutationFn: (s: Snapshot) => client.updateSnapshot({ snapshot: s.id, pinned: !s.pinned }),
  });
  const verify = useMutation({ mutationFn: (s: Snapshot) => client.verifySnapshot({ snapshot: s.id }) });

  const rows = useMemo(() => {
    // While the engine cannot list workloads nothing is known to be removed: mark none.
    const live = workloads.data ? new Set(workloads.data.map((w) => w.id)) : null;
    return toRows(store.data?.snapshots ?? [], live, store.data?.engineId ?? null);
  }, [store.data, workloads.data]);
  const shown = useMemo(
    () => filterAndSort(rows, { query, trigger, pinnedOnly, otherEngines, sort }),
    [rows, query, trigger, pinnedOnly, otherEngines, sort],
  );
  const hiddenOther = rows.filter((r) => r.otherEngine).length;
  const selected = rows.find((r) => r.snapshot.id === selectedId)?.snapshot ?? null;
  const run = (id: SnapshotActionId, s: Snapshot) => {
    setSelectedId(s.id);
    if (id === 'diff') onDiff(s);
    else if (id === 'pin') pin.mutate(s);
    else if (id === 'verify') verify.mutate(s);
    else setDialog({ kind: id, snapshot: s });
  };
  return (
    // Fills the main pane exactly (as the snapshots screen does), so the list's own scroller is
    // bounded and virtualizes instead of growing the page to every row.
    <section aria-labelledby="all-snapshots-title" className="screen all-snapshots-screen" style={FILL}>
      <header className="screen-header">
        <h1 id="all-snapshots-title">All snapshots</h1>
        {store.data && (
          <span className="muted header-meta">
            {countOf(shown.length, 'snapshot')} shown of {rows.length} ·{' '}
            {humanBytes(rows.reduce((n, r) => n + r.snapshot.storedBytes, 0))} stored
          </span>
        )}
        <button type="button" onClick={() => setDialog({ kind: 'import' })}>
          <FileUp aria-hidden size={15} /> Import…
        </button>
        <button type="button" onClick={() => setDialog({ kind: 'pull' })}>
          <Download aria-hidden size={15} /> Pull…
        </button>
      </header>
      <div className="toolbar filters" role="search" style={{ gap: 8, flexWrap: 'wrap', alignItems: 'center' }}>
        <input
          type="search"
          aria-label="Search snapshots by name, note or workload"
          placeholder="Search name, note, workload"
          style={{ minWidth: '16rem' }}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <label>
          Trigger{' '}
          <select value={trigger} onChange={(event) => setTrigger(event.target.value as Trigger | '')}>
            <option value="">Any</option>
            {TRIGGERS.map((t) => (
              <option key={t} value={t}>
                {triggerLabel(t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={pinnedOnly} onChange={(event) => setPinnedOnly(event.target.checked)} />{' '}
          Pinned only
        </label>
        <label>
          <input type="checkbox" checked={otherEngines} onChange={(event) => setOtherEngines(event.target.checked)} />{' '}
          Other engines{hiddenOther > 0 ? ` (${hiddenOther})` : ''}
        </label>
        <label>
          Sort{' '}
          <select value={sort} onChange={(event) => setSort(event.target.value as Sort)}>
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first</option>
            <option value="largest">Largest first</option>
            <option value="smallest">Smallest first</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={store.error} />
      {store.data && rows.length === 0 && <p>No snapshots in the store yet.</p>}
      {rows.length > 0 && (
        <PaneGroup id="volsnap-all-snapshot-panes" className="snapshot-panes">
          <Panel id="all-list" minSize="280px" className="pane">
            {shown.length > 0 ? (
              <AllSnapshotsList
                rows={shown}
                selectedId={selectedId}
                onSelect={(s) => setSelectedId(s.id)}
                onOpen={(s) => run('restore', s)}
              />
            ) : (
              <p className="muted">No snapshot matches these filters.</p>
            )}
          </Panel>
          <PaneHandle label="Resize the details pane" />
          <Panel id="all-details" defaultSize="36%" minSize="220px" className="pane">
            <SnapshotDetails
              snapshot={selected}
              actions={
                selected ? snapshotActions(selected, { pinning: pin.isPending, verifying: verify.isPending }) : []
              }
              onRun={(id) => selected && run(id, selected)}
              verified={verify.data?.snapshotId === selected?.id ? verify.data : undefined}
              error={pin.error ?? verify.error}
            />
          </Panel>
        </PaneGroup>
      )}
      {dialog?.kind === 'restore' && <RestoreDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'edit' && <EditSnapshotDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && <DeleteDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'browse' && <SnapshotBrowser snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'export' && <ExportDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'import' && <ImportDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === 'push' && <PushDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'clone' && <CloneDialog snapshot={dialog.snapshot} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'pull' && <PullDialog onClose={() => setDialog(null)} />}
    </section>
  );
}
