import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { humanBytes, humanDate, needsSeconds } from '../format';
import type { Snapshot } from '../../shared/types';

const ROW_HEIGHT = 36;
const COLUMNS = ['Name', 'Created', 'Trigger', 'Mode', 'Size', 'Files', 'Pinned', 'Expires'];

/**
 * The snapshots of a workload, virtualized (only visible rows are in the DOM, so 10,000 rows
 * render as fast as 20). Click selects; double-click or Enter opens the restore dialog; arrow
 * keys move the selection.
 */
export function SnapshotTable(props: {
  snapshots: Snapshot[];
  selectedId: string | null;
  onSelect: (snapshot: Snapshot) => void;
  onOpen: (snapshot: Snapshot) => void;
}) {
  const { snapshots, selectedId, onSelect, onOpen } = props;
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
                onKeyDown={(e) => onKeyDown(e, item.index)}
              >
                <span role="gridcell" className="name" title={s.note || s.name}>
                  {s.name}
                  {s.status !== 'ready' && <em> ({s.status})</em>}
                </span>
                <span role="gridcell">{humanDate(s.createdAt, { seconds: withSeconds[item.index] })}</span>
                <span role="gridcell">{s.trigger}</span>
                <span role="gridcell">{s.mode}</span>
                <span role="gridcell">{humanBytes(s.sizeBytes)}</span>
                <span role="gridcell">{s.fileCount}</span>
                <span role="gridcell">{s.pinned ? 'pinned' : ''}</span>
                <span role="gridcell">{s.expiresAt ? humanDate(s.expiresAt) : '–'}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
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
