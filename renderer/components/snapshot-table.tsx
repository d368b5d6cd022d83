import { useVirtualizer } from '@tanstack/react-virtual';
import { Pin } from 'lucide-react';
import { useEffect, useLayoutEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { TriggerIcon, triggerLabel } from './trigger-shape';
import { humanBytes, needsSeconds } from '../format';
import type { Snapshot } from '../../shared/types';

const ROW_HEIGHT = 36;
const COLUMNS = ['Name', 'Created', 'Trigger', 'Size', 'Expires'];

/**
 * The snapshots of a workload, virtualized (only visible rows are in the DOM, so 10,000 rows
 * render as fast as 20). Click selects; double-click or Enter opens the restore dialog; arrow
 * keys move the selection; right-click, Shift+F10 or the menu key open the row's context menu;
 * other keys (Delete, F2) go to `onKey`. Mode, files and the rest are in the details pane.
 */
export function SnapshotTable(props: {
  snapshots: Snapshot[];
  selectedId: string | null;
  onSelect: (snapshot: Snapshot) => void;
  onOpen: (snapshot: Snapshot) => void;
  onMenu: (snapshot: Snapshot, at: { x: number; y: number }) => void;
  /** Keys other than Enter and the arrows; returns whether it handled the key. */
  onKey: (key: string, snapshot: Snapshot) => boolean;
}) {
  const { snapshots, selectedId, onSelect, onOpen, onMenu, onKey } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: snapshots.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  useRenderTiming(snapshots);
  // Two snapshots taken in the same minute would otherwise read alike.
  const withSeconds = useMemo(() => needsSeconds(snapshots.map((s) => s.createdAt)), [snapshots]);
  const selectedIndex = snapshots.findIndex((s) => s.id === selectedId);
  useEffect(() => {
    // Keep keyboard focus on the selected row as it scrolls in and out of the rendered window.
    if (scrollRef.current?.contains(document.activeElement))
      scrollRef.current.querySelector<HTMLElement>(`[data-index="${selectedIndex}"]`)?.focus();
  }, [selectedIndex]);
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const move = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    const snapshot = snapshots[index];
    if (event.key === 'Enter' && snapshot) {
      // Without this the same key press goes on to "click" whatever the dialog focused (its ×).
      event.preventDefault();
      onOpen(snapshot);
    }
    if (snapshot && (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey))) {
      event.preventDefault();
      const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
      onMenu(snapshot, { x: box.left + 24, y: box.bottom });
    } else if (snapshot && !event.ctrlKey && !event.metaKey && onKey(event.key, snapshot)) event.preventDefault();
    const next = snapshots[index + move];
    if (move !== 0 && next) {
      event.preventDefault();
      onSelect(next);
      virtualizer.scrollToIndex(index + move);
    }
  };
  return (
    <div className="snapshot-table" role="grid" aria-label="Snapshots" aria-rowcount={snapshots.length + 1}>
      <div role="row" className="snapshot-row header" aria-rowindex={1}>
        {COLUMNS.map((c) => (
          <span role="columnheader" key={c}>
            {c}
          </span>
        ))}
      </div>
      <div ref={scrollRef} className="snapshot-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const s = snapshots[item.index]!;
            const focusable = item.index === (selectedIndex === -1 ? 0 : selectedIndex);
            return (
              <div
                key={s.id}
                role="row"
                data-index={item.index}
                data-snapshot={s.name}
                aria-rowindex={item.index + 2}
                aria-selected={s.id === selectedId}
                tabIndex={focusable ? 0 : -1}
                className={`snapshot-row status-${s.status}`}
                style={{ transform: `translateY(${item.start}px)` }}
                onClick={() => onSelect(s)}
                onDoubleClick={() => onOpen(s)}
                onContextMenu={(e) => {
                  e.preventDefault();
                  onSelect(s);
                  onMenu(s, { x: e.clientX, y: e.clientY });
                }}
                onKeyDown={(e) => onKeyDown(e, item.index)}
              >
                <span role="gridcell" className="name" title={s.note || s.name}>
                  {s.name}
                  {s.status !== 'ready' && <em> ({s.status})</em>}
                  {s.pinned && <Pin aria-label="pinned" size={13} className="pin-icon" />}
                </span>
                <span role="gridcell">{shortDate(s.createdAt, withSeconds[item.index])}</span>
                <span role="gridcell" className="trigger">
                  <TriggerIcon trigger={s.trigger} /> {triggerLabel(s.trigger)}
                </span>
                <span role="gridcell">{humanBytes(s.sizeBytes)}</span>
                <span role="gridcell">{s.expiresAt ? shortDate(s.expiresAt, false) : '–'}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** "Dec 2, 14:05" (with seconds where neighbours share the minute); the year is in the details pane. */
function shortDate(iso: string, seconds: boolean | undefined): string {
  return new Date(iso).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: seconds ? '2-digit' : undefined,
  });
}

/** Records how long a new list takes from render to layout, as a User Timing measure (devtools, responsiveness e2e). */
function useRenderTiming(snapshots: Snapshot[]): void {
  const started = useRef<{ list: Snapshot[]; at: number } | null>(null);
  if (started.current?.list !== snapshots) started.current = { list: snapshots, at: performance.now() };
  useLayoutEffect(() => {
    const at = started.current?.at;
    if (at !== undefined)
      performance.measure('snapshot-table-render', { start: at, detail: { rows: snapshots.length } });
  }, [snapshots]);
}
