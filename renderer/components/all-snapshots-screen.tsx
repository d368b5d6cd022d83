import { useMutation, useQuery } from '@tanstack/react-query';
import { Download, FileUp, Pin } from 'lucide-react';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { Panel } from 'react-resizable-panels';
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
import { countOf, humanBytes, humanDate } from '../format';
import type { Snapshot, Trigger } from '../../shared/types';

/** Rows drawn at once: beyond this the search narrows the list (the count says how many match). */
const MAX_ROWS = 500;
const TRIGGERS: Trigger[] = ['manual', 'tray', 'schedule', 'pre-restore', 'cli'];
type Sort = 'newest' | 'oldest' | 'largest' | 'smallest';
type Dialog =
  | { kind: 'restore' | 'edit' | 'delete' | 'browse' | 'export' | 'push' | 'clone'; snapshot: Snapshot }
  | { kind: 'import' | 'pull' }
  | null;

interface Row {
  snapshot: Snapshot;
  /** Its workload has no containers on the engine any more. */
  removed: boolean;
  /** Captured on another engine than the connected one. */
  otherEngine: boolean;
}

/**
 * Every snapshot in the store in one list, including those of removed workloads (marked) and,
 * with a filter, those of other engines; search by name, note or workload; filter by trigger and
 * pinned; sort by date or size. Click selects (details and actions as in the workload view);
 * double-click or Enter opens the restore dialog.
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
    const engineId = store.data?.engineId ?? null;
    return (store.data?.snapshots ?? []).map((snapshot): Row => ({
      snapshot,
      removed: live !== null && !live.has(snapshot.workloadId),
      otherEngine: snapshot.engineId !== null && engineId !== null && snapshot.engineId !== engineId,
    }));
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
  const onKey = (event: KeyboardEvent, s: Snapshot, index: number) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      run('restore', s);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = shown[index + (event.key === 'ArrowDown' ? 1 : -1)];
      if (next) {
        setSelectedId(next.snapshot.id);
        const row = (event.currentTarget as HTMLElement).parentElement?.children[
          index + (event.key === 'ArrowDown' ? 1 : -1)
        ];
        (row as HTMLElement | undefined)?.focus();
      }
    }
  };

  return (
    <section aria-labelledby="all-snapshots-title" className="screen all-snapshots-screen">
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
            <div style={{ overflow: 'auto', height: '100%' }}>
              <table className="data-table" aria-label="All snapshots">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Workload</th>
                    <th scope="col">Created</th>
                    <th scope="col">Trigger</th>
                    <th scope="col">Size</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.slice(0, MAX_ROWS).map((row, index) => (
                    <SnapshotRow
                      key={row.snapshot.id}
                      row={row}
                      selected={row.snapshot.id === selectedId}
                      onSelect={() => setSelectedId(row.snapshot.id)}
                      onOpen={() => run('restore', row.snapshot)}
                      onKeyDown={(event) => onKey(event, row.snapshot, index)}
                    />
                  ))}
                </tbody>
              </table>
              {shown.length > MAX_ROWS && (
                <p className="muted">{shown.length - MAX_ROWS} more match: narrow the search to see them.</p>
              )}
              {shown.length === 0 && <p className="muted">No snapshot matches these filters.</p>}
            </div>
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

function SnapshotRow(props: {
  row: Row;
  selected: boolean;
  onSelect: () => void;
  onOpen: () => void;
  onKeyDown: (event: KeyboardEvent) => void;
}) {
  const { snapshot, removed, otherEngine } = props.row;
  return (
    <tr
      data-snapshot={snapshot.name}
      tabIndex={0}
      aria-selected={props.selected}
      style={props.selected ? { background: 'var(--row-selected)' } : undefined}
      onClick={props.onSelect}
      onDoubleClick={props.onOpen}
      onKeyDown={props.onKeyDown}
    >
      <th scope="row" style={{ fontWeight: 'normal' }}>
        {snapshot.pinned && <Pin aria-label="pinned" size={12} />} {snapshot.name}
        {snapshot.note && <div className="muted">{snapshot.note}</div>}
      </th>
      <td>
        {snapshot.workloadName}
        {removed && (
          <span className="badge" title="Its containers are gone; the snapshots stay in the store.">
            {' '}
            removed
          </span>
        )}
        {otherEngine && (
          <span className="badge" title={`Captured on ${snapshot.engineName ?? 'another engine'}`}>
            {' '}
            other engine
          </span>
        )}
      </td>
      <td>{humanDate(snapshot.createdAt)}</td>
      <td>{triggerLabel(snapshot.trigger)}</td>
      <td>{humanBytes(snapshot.storedBytes)}</td>
    </tr>
  );
}

function filterAndSort(
  rows: Row[],
  f: { query: string; trigger: Trigger | ''; pinnedOnly: boolean; otherEngines: boolean; sort: Sort },
): Row[] {
  const needle = f.query.trim().toLowerCase();
  const kept = rows.filter(({ snapshot: s, otherEngine }) => {
    if (otherEngine && !f.otherEngines) return false;
    if (f.trigger !== '' && s.trigger !== f.trigger) return false;
    if (f.pinnedOnly && !s.pinned) return false;
    return needle === '' || [s.name, s.note, s.workloadName].some((text) => text.toLowerCase().includes(needle));
  });
  const by: Record<Sort, (a: Snapshot, b: Snapshot) => number> = {
    newest: (a, b) => b.createdAt.localeCompare(a.createdAt),
    oldest: (a, b) => a.createdAt.localeCompare(b.createdAt),
    largest: (a, b) => b.storedBytes - a.storedBytes,
    smallest: (a, b) => a.storedBytes - b.storedBytes,
  };
  return kept.sort((a, b) => by[f.sort](a.snapshot, b.snapshot));
}
