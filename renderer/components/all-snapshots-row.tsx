import { Pin } from 'lucide-react';
import type { KeyboardEvent } from 'react';
import { triggerLabel } from './trigger-shape';
import { humanBytes, humanDate } from '../format';
import type { Row } from './all-snapshots-filter';

/** The columns of the All snapshots table, with their share of its width (fixed layout). */
export const COLUMNS = [
  { label: 'Name', width: '24%' },
  { label: 'Workload', width: '28%' },
  { label: 'Created', width: '22%' },
  { label: 'Trigger', width: '14%' },
  { label: 'Size', width: '12%' },
] as const;

// One line per cell, cut with an ellipsis (the full text is in the title and the details pane),
// so a long name does not make its row taller than the rest.
const CELL = { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' } as const;
// The workload's name gives way before its badges do: "removed" must stay readable.
const WORKLOAD = { display: 'flex', alignItems: 'center', gap: 6, minWidth: 0 } as const;
const SHRINK = { ...CELL, minWidth: 0 } as const;
const BADGE = { flex: 'none' } as const;

/** One snapshot of the All snapshots table. */
export function SnapshotRow(props: {
  index: number;
  measure: (element: Element | null) => void;
  row: Row;
  selected: boolean;
  tabbable: boolean;
  onSelect: () => void;
  onOpen: () => void;
  onKeyDown: (event: KeyboardEvent) => void;
}) {
  const { snapshot, removed, otherEngine } = props.row;
  return (
    <tr
      ref={props.measure}
      data-index={props.index}
      data-snapshot={snapshot.name}
      aria-rowindex={props.index + 2}
      tabIndex={props.tabbable ? 0 : -1}
      aria-selected={props.selected}
      style={props.selected ? { background: 'var(--row-selected)' } : undefined}
      onClick={props.onSelect}
      onDoubleClick={props.onOpen}
      onKeyDown={props.onKeyDown}
    >
      <th scope="row" style={{ ...CELL, fontWeight: 'normal' }} title={snapshot.name}>
        {snapshot.pinned && <Pin aria-label="pinned" size={12} />} {snapshot.name}
        {snapshot.note && (
          <div className="muted" style={CELL} title={snapshot.note}>
            {snapshot.note}
          </div>
        )}
      </th>
      <td>
        <div style={WORKLOAD}>
          <span style={SHRINK} title={snapshot.workloadName}>
            {snapshot.workloadName}
          </span>
          {removed && (
            <span className="badge" style={BADGE} title="Its containers are gone; the snapshots stay in the store.">
              removed
            </span>
          )}
          {otherEngine && (
            <span className="badge" style={BADGE} title={`Captured on ${snapshot.engineName ?? 'another engine'}`}>
              other engine
            </span>
          )}
        </div>
      </td>
      <td style={CELL} title={humanDate(snapshot.createdAt)}>
        {shortDate(snapshot.createdAt)}
      </td>
      <td style={CELL} title={triggerLabel(snapshot.trigger)}>
        {triggerLabel(snapshot.trigger)}
      </td>
      <td style={CELL}>{humanBytes(snapshot.storedBytes)}</td>
    </tr>
  );
}

/** "Nov 30, 2:42 AM" this year, "Nov 30, 2025, 2:42 AM" before: fits the column; the title has it in full. */
function shortDate(iso: string): string {
  const date = new Date(iso);
  return date.toLocaleString(undefined, {
    year: date.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });
}
