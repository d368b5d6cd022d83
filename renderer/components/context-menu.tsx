import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { LucideIcon } from 'lucide-react';
import { useClient } from '../client/client-context';
import { isDesktop } from '../client/host';
import type { VolsnapClient } from '../../shared/contract';

/** One item of a context menu (a snapshot's actions, a workload's). */
export interface MenuAction<Id extends string = string> {
  id: Id;
  label: string;
  icon: LucideIcon;
  tone?: 'primary' | 'danger';
  disabled: boolean;
  /** The key that does it, as shown to the user (in-page menu only). */
  shortcut?: string;
}

interface ContextMenuProps<Id extends string = string> {
  label: string;
  at: { x: number; y: number };
  actions: MenuAction<Id>[];
  onRun: (id: Id) => void;
  onClose: () => void;
}

/**
 * A context menu at a point: the operating system's own menu in the desktop app (built by main
 * from ids, labels and enabled flags), the in-page menu in a browser, or in the desktop app if
 * main cannot show one.
 */
export function ContextMenu<Id extends string>(props: ContextMenuProps<Id>) {
  const [native, setNative] = useState(isDesktop);
  const anyProps = props as unknown as ContextMenuProps;
  return native ? (
    <NativeContextMenu {...anyProps} onUnavailable={() => setNative(false)} />
  ) : (
    <HtmlContextMenu {...anyProps} />
  );
}

/** One request per opening (keyed by its point), so React's double effect in development opens one menu. */
const opened = new WeakMap<object, Promise<{ chosen: string | null }>>();

function openNative(client: VolsnapClient, { at, actions }: ContextMenuProps) {
  let request = opened.get(at);
  if (!request) {
    request = client.showContextMenu({
      items: actions.map((a) => ({ id: a.id, label: a.label, enabled: !a.disabled })),
      at: { x: Math.max(0, Math.round(at.x)), y: Math.max(0, Math.round(at.y)) },
    });
    opened.set(at, request);
  }
  return request;
}

/** Draws nothing: asks main for the native menu and runs the chosen action once it closes. */
function NativeContextMenu(props: ContextMenuProps & { onUnavailable: () => void }) {
  const client = useClient();
  const latest = useRef(props);
  latest.current = props;
  useEffect(() => {
    let live = true;
    openNative(client, latest.current).then(
      ({ chosen }) => {
        if (!live) return;
        const { actions, onRun, onClose } = latest.current;
        onClose();
        const action = actions.find((a) => a.id === chosen && !a.disabled);
        if (action) onRun(action.id);
      },
      () => live && latest.current.onUnavailable(),
    );
    return () => {
      live = false;
    };
  }, [client, props.at]);
  return null;
}

/**
 * An in-page context menu (role menu) at a point: arrow keys move, Enter runs, Esc or a click
 * elsewhere closes; focus goes back to what opened it.
 */
function HtmlContextMenu(props: ContextMenuProps) {
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
