import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { COLUMNS, SnapshotRow } from './all-snapshots-row';
import type { Row } from './all-snapshots-filter';
import type { Snapshot } from '../../shared/types';

/** Frames the selected row must keep focus after a key press before the list stops watching. */
const FOCUS_STEADY_FRAMES = 10;
/** …and the most frames it watches after one render (a row that never renders, filtered away). */
const FOCUS_MAX_FRAMES = 120;

/** A row without a note; rows with one are measured as they render. */
const ROW_HEIGHT = 36;
/** Rows PageUp/PageDown move by. */
const PAGE = 10;

/**
 * Every snapshot of the All snapshots screen in one table, virtualized: only the rows in view (and
 * a few either side) are in the DOM, with spacer rows standing in for the rest, so thousands of
 * rows scroll as lightly as twenty. It stays a real <table> (row headers, column headers, and
 * aria-rowcount/aria-rowindex so assistive technology knows the full length). Click selects;
 * double-click or Enter opens; arrows, Home/End and PageUp/PageDown move the selection, and
 * focus follows it even to rows that were not rendered yet.
 */
export function AllSnapshotsList(props: {
  rows: Row[];
  selectedId: string | null;
  onSelect: (snapshot: Snapshot) => void;
  onOpen: (snapshot: Snapshot) => void;
}) {
  const { rows, selectedId, onSelect, onOpen } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLTableSectionElement>(null);
  // The sticky header sits above the rows inside the scrolled box: the rows start that far down
  // (scrollMargin), and a row scrolled to must land below it, not under it (scrollPaddingStart).
  const [head, setHead] = useState(0);
  useLayoutEffect(() => setHead(headRef.current?.offsetHeight ?? 0), []);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.snapshot.note ? ROW_HEIGHT + 18 : ROW_HEIGHT),
    getItemKey: (i) => rows[i]!.snapshot.id,
    overscan: 8,
    scrollMargin: head,
    scrollPaddingStart: head,
  });
  const selectedIndex = rows.findIndex((r) => r.snapshot.id === selectedId);
  const items = virtualizer.getVirtualItems();
  // Set by a key press: move focus to the selected row once it is rendered (a jump with End
  // renders it only after the scroll). While the scroll settles the virtualizer may render the
  // rows anew, which can leave focus on the page: the row is checked for a few frames after each
  // render and given focus back, until it has kept it. A move of focus out of the list gives up.
  const focusWanted = useRef(false);
  useEffect(() => {
    let steady = 0;
    let tries = 0;
    const keep = () => {
      if (!focusWanted.current || tries++ > FOCUS_MAX_FRAMES) return;
      const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${selectedIndex}"]`);
      if (row && document.activeElement === row) steady++;
      else if (row) {
        steady = 0;
        row.focus({ preventScroll: true });
      }
      if (steady >= FOCUS_STEADY_FRAMES) focusWanted.current = false;
      else handle = requestAnimationFrame(keep);
    };
    let handle = 0;
    keep();
    return () => cancelAnimationFrame(handle);
  });
  const onBlur = (event: FocusEvent) => {
    const to = event.relatedTarget as Node | null;
    if (to && !scrollRef.current?.contains(to)) focusWanted.current = false;
  };
  // One row takes Tab: the selected one when it is rendered, else the first rendered one.
  const tabStop = items.some((i) => i.index === selectedIndex) ? selectedIndex : (items[0]?.index ?? -1);
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const row = rows[index];
    if (!row) return;
    if (event.key === 'Enter') {
      // Without this the same key press goes on to "click" whatever the dialog focused.
      event.preventDefault();
      onOpen(row.snapshot);
      return;
    }
    const target = targetIndex(event.key, index, rows.length);
    if (target === null) return;
    event.preventDefault();
    focusWanted.current = true;
    onSelect(rows[target]!.snapshot);
    virtualizer.scrollToIndex(target, { align: 'auto' });
  };
  const top = (items[0]?.start ?? head) - head;
  const bottom = virtualizer.getTotalSize() - ((items[items.length - 1]?.end ?? head) - head);
  return (
    <div ref={scrollRef} style={{ overflow: 'auto', height: '100%' }} onBlur={onBlur}>
      <table className="data-table" aria-label="All snapshots" aria-rowcount={rows.length + 1} style={CLIP}>
        <thead ref={headRef}>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => (
              <th scope="col" key={c.label} style={{ ...STICKY, width: c.width }}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {top > 0 && <Spacer height={top} />}
          {items.map((item) => {
            const row = rows[item.index]!;
            return (
              <SnapshotRow
                key={item.key}
                index={item.index}
                measure={virtualizer.measureElement}
                row={row}
                selected={row.snapshot.id === selectedId}
                tabbable={item.index === tabStop}
                onSelect={() => onSelect(row.snapshot)}
                onOpen={() => onOpen(row.snapshot)}
                onKeyDown={(event) => onKeyDown(event, item.index)}
              />
            );
          })}
          {bottom > 0 && <Spacer height={bottom} />}
        </tbody>
      </table>
    </div>
  );
}

/** Where a navigation key moves the selection from `index`; null for other keys. */
function targetIndex(key: string, index: number, count: number): number | null {
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i));
  switch (key) {
    case 'ArrowDown':
      return clamp(index + 1);
    case 'ArrowUp':
      return clamp(index - 1);
    case 'PageDown':
      return clamp(index + PAGE);
    case 'PageUp':
      return clamp(index - PAGE);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

// `clip` rather than the table's `hidden`: keeps the rounded corners without becoming a scroll
// container, which would stop the header from sticking to the top of the list. Fixed layout: the
// column widths come from the header, not from whichever rows happen to be rendered, so they do not
// jump while scrolling.
const CLIP = { overflow: 'clip', tableLayout: 'fixed' } as const;
const STICKY = { position: 'sticky', top: 0, zIndex: 1 } as const;

/** Stands in for the rows above or below the rendered window, so the scrollbar is the list's true length. */
function Spacer({ height }: { height: number }) {
  return (
    <tr aria-hidden="true">
      <td colSpan={COLUMNS.length} style={{ height, padding: 0, border: 'none' }} />
    </tr>
  );
}
