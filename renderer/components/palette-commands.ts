import type { Snapshot, Workload } from '../../shared/types';
import type { Screen, View } from './view';

/** One line of the command palette. */
export interface PaletteCommand {
  id: string;
  group: 'Go to' | 'Workloads' | 'Snapshots';
  label: string;
  hint?: string;
  view: View;
}

/** How many snapshots the palette offers at once: it searches all of them, but lists only the best. */
const MAX_SNAPSHOTS = 8;

const SCREENS: { screen: Screen; label: string }[] = [
  { screen: 'overview', label: 'All workloads' },
  { screen: 'all-snapshots', label: 'All snapshots' },
  { screen: 'jobs', label: 'Jobs' },
  { screen: 'storage', label: 'Storage' },
  { screen: 'settings', label: 'Settings' },
];

/**
 * The palette's commands for what was typed: screens, open/capture per workload, and
 * restore/diff/open for the snapshots whose name, note or workload match (newest first).
 */
export function paletteCommands(search: string, workloads: Workload[], snapshots: Snapshot[]): PaletteCommand[] {
  const q = search.trim().toLowerCase();
  const hit = (...texts: string[]) => q === '' || texts.some((t) => t.toLowerCase().includes(q));
  const commands: PaletteCommand[] = [];
  for (const { screen, label } of SCREENS)
    if (hit(label, `go to ${label}`)) commands.push({ id: `go-${screen}`, group: 'Go to', label, view: { screen } });
  for (const w of workloads) {
    const words = [w.name, w.id];
    if (hit(...words, `open ${w.name}`))
      commands.push({
        id: `open-${w.id}`,
        group: 'Workloads',
        label: `Open ${w.name}`,
        view: { screen: 'snapshots', workload: w },
      });
    if (w.volumes.length > 0 && hit(...words, `capture ${w.name}`))
      commands.push({
        id: `capture-${w.id}`,
        group: 'Workloads',
        label: `Capture ${w.name}…`,
        view: { screen: 'snapshots', workload: w, open: 'capture' },
      });
  }
  const matching = snapshots.filter((s) => s.status === 'ready' && hit(s.name, s.note, s.workloadName));
  for (const s of matching.slice(0, MAX_SNAPSHOTS)) {
    const workload = { id: s.workloadId, name: s.workloadName };
    const hint = s.workloadName;
    commands.push(
      {
        id: `restore-${s.id}`,
        group: 'Snapshots',
        label: `Restore ${s.name}…`,
        hint,
        view: { screen: 'snapshots', workload, focusSnapshotId: s.id, open: 'restore' },
      },
      {
        id: `diff-${s.id}`,
        group: 'Snapshots',
        label: `Diff ${s.name}…`,
        hint,
        view: { screen: 'diff', workload, snapshot: s },
      },
      {
        id: `show-${s.id}`,
        group: 'Snapshots',
        label: `Show ${s.name}`,
        hint,
        view: { screen: 'snapshots', workload, focusSnapshotId: s.id },
      },
    );
  }
  return commands;
}
