import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { SnapshotAction, SnapshotActionId } from './snapshot-action-list';

/**
 * An in-page context menu (role menu) at a point: arrow keys move, Enter runs, Esc or a click
 * elsewhere closes; focus goes back to what opened it.
 */
export function ContextMenu(props: {
  label: string;
  at: { x: number; y: number };
  actions: SnapshotAction[];
  onRun: (id: SnapshotActionId) => void;
  onClose: () => void;
}) {
  const { label, at, actions, onRun, onClose } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState(at);
  useLayoutEffect(() => {
    // Runs before the menu takes focus, so the opener (the row) is still the active element.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const el = ref.current;
    if (el) {
      // Keep the menu inside the window.
      const { width, height } = el.getBoundingClientRect();
      setPos({ x: Math.min(at.x, window.innerWidth - width - 4), y: Math.min(at.y, window.innerHeight - height - 4) });
      el.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
    }
    return () => {
      if (opener?.isConnected && !document.querySelector('dialog[open]')) opener.focus();
    };
  }, [at]);
  useEffect(() => {
    const onDown = (event: MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) onClose();
    };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [onClose]);
  const onKeyDown = (event: KeyboardEvent) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const move = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (move !== 0) {
      event.preventDefault();
      items[(index + move + items.length) % items.length]?.focus();
    } else if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      onClose();
    }
  };
  return (
    <div
      ref={ref}
      role="menu"
      aria-label={label}
      className="context-menu"
      style={{ left: pos.x, top: pos.y }}
      onKeyDown={onKeyDown}
    >
      {actions.map(({ id, label: text, icon: Icon, tone, disabled, shortcut }) => (
        <button
          key={id}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={`menu-item ${tone === 'danger' ? 'danger-text' : ''}`}
          aria-disabled={disabled || undefined}
          onClick={() => {
            if (disabled) return;
            onClose();
            onRun(id);
          }}
        >
          <Icon aria-hidden size={15} />
          <span className="grow">{text}</span>
          {shortcut && <kbd>{shortcut}</kbd>}
        </button>
      ))}
    </div>
  );
}
