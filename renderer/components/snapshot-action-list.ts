import {
  ArrowLeftRight,
  CopyPlus,
  FileDown,
  FolderOpen,
  History,
  Pencil,
  Pin,
  PinOff,
  ShieldCheck,
  Upload,
  Trash2,
  type LucideIcon,
} from 'lucide-react';
import { SHORTCUTS, chordLabel } from '../hooks/use-shortcut';
import type { Snapshot } from '../../shared/types';

export type SnapshotActionId =
  'restore' | 'diff' | 'browse' | 'edit' | 'pin' | 'verify' | 'export' | 'push' | 'clone' | 'delete';

/** One thing that can be done with a snapshot, shown alike in the details pane, the row's context menu and the palette. */
export interface SnapshotAction {
  id: SnapshotActionId;
  label: string;
  icon: LucideIcon;
  tone?: 'primary' | 'danger';
  disabled: boolean;
  /** The key that does it from the list, as shown to the user. */
  shortcut?: string;
}

/**
 * The actions of a snapshot in the order they are offered. EXTENSION POINT: a new action (e.g.
 * "Browse files…") adds an id and an entry here; the screen's `runAction` handles the id.
 */
export function snapshotActions(snapshot: Snapshot, state: { pinning: boolean; verifying: boolean }): SnapshotAction[] {
  const ready = snapshot.status === 'ready';
  return [
    { id: 'restore', label: 'Restore…', icon: History, tone: 'primary', disabled: !ready, shortcut: 'Enter' },
    { id: 'clone', label: 'Restore into new volumes…', icon: CopyPlus, disabled: !ready },
    { id: 'diff', label: 'Diff…', icon: ArrowLeftRight, disabled: !ready, shortcut: chordLabel(SHORTCUTS.diff) },
    { id: 'browse', label: 'Browse files…', icon: FolderOpen, disabled: !ready },
    { id: 'edit', label: 'Rename / note…', icon: Pencil, disabled: false, shortcut: 'F2' },
    {
      id: 'pin',
      label: snapshot.pinned ? 'Unpin' : 'Pin',
      icon: snapshot.pinned ? PinOff : Pin,
      disabled: state.pinning,
    },
    {
      id: 'verify',
      label: state.verifying ? 'Verifying…' : 'Verify',
      icon: ShieldCheck,
      disabled: !ready || state.verifying,
    },
    { id: 'export', label: 'Export…', icon: FileDown, disabled: !ready },
    { id: 'push', label: 'Push…', icon: Upload, disabled: !ready },
    { id: 'delete', label: 'Delete…', icon: Trash2, tone: 'danger', disabled: false, shortcut: 'Delete' },
  ];
}
