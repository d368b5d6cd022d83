import { Group, Separator, useDefaultLayout, type LayoutStorage } from 'react-resizable-panels';
import type { ReactNode } from 'react';
import { safeStorage } from '../theme';

/** Where sizes go when localStorage is unavailable: they then last for the session. */
const memory = new Map<string, string>();
const fallback: LayoutStorage = { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v) };

/** Side-by-side resizable panes whose sizes are remembered (localStorage, per `id`). */
export function PaneGroup({ id, className, children }: { id: string; className?: string; children: ReactNode }) {
  const { defaultLayout, onLayoutChanged } = useDefaultLayout({ id, storage: safeStorage() ?? fallback });
  return (
    <Group
      id={id}
      orientation="horizontal"
      className={className}
      defaultLayout={defaultLayout}
      onLayoutChanged={onLayoutChanged}
    >
      {children}
    </Group>
  );
}

/** The draggable (and keyboard-movable: arrow keys) line between two panes. */
export function PaneHandle({ label }: { label: string }) {
  return <Separator className="pane-handle" aria-label={label} />;
}
