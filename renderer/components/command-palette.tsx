import { useQuery } from '@tanstack/react-query';
import { Command } from 'cmdk';
import { Search } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { paletteCommands, type PaletteCommand } from './palette-commands';
import type { View } from './view';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';

const GROUPS: PaletteCommand['group'][] = ['Go to', 'Workloads', 'Snapshots'];

/**
 * Ctrl/Cmd+K: type to capture, restore, diff or open any workload or snapshot. A native modal
 * <dialog> (focus kept inside, Esc closes, focus returns to where it was); cmdk does the list's keys.
 */
export function CommandPalette({ onClose, onRun }: { onClose: () => void; onRun: (view: View) => void }) {
  const client = useClient();
  const ref = useRef<HTMLDialogElement>(null);
  const [search, setSearch] = useState('');
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  const snapshots = useQuery({ queryKey: queryKeys.snapshotsAll, queryFn: () => client.listSnapshots({}) });
  const commands = useMemo(
    () => paletteCommands(search, workloads.data ?? [], snapshots.data ?? []),
    [search, workloads.data, snapshots.data],
  );
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    // showModal() focuses the first focusable element, not React's autoFocus: say which.
    dialog?.querySelector<HTMLInputElement>('[cmdk-input]')?.focus();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="palette"
      aria-label="Command palette"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => e.target === ref.current && onClose()}
    >
      <Command label="Commands" shouldFilter={false} loop>
        <div className="palette-input">
          <Search aria-hidden size={16} />
          <Command.Input
            value={search}
            onValueChange={setSearch}
            placeholder="Type a workload, a snapshot or a command…"
            aria-label="Search commands"
          />
        </div>
        <Command.List className="palette-list" label="Matching commands">
          <Command.Empty>Nothing matches “{search}”.</Command.Empty>
          {GROUPS.map((group) => {
            const items = commands.filter((c) => c.group === group);
            if (items.length === 0) return null;
            return (
              <Command.Group key={group} heading={group}>
                {items.map((c) => (
                  <Command.Item key={c.id} value={c.id} onSelect={() => onRun(c.view)}>
                    <span className="grow">{c.label}</span>
                    {c.hint && <span className="muted">{c.hint}</span>}
                  </Command.Item>
                ))}
              </Command.Group>
            );
          })}
        </Command.List>
      </Command>
    </dialog>
  );
}
