import { Activity, HardDrive, Layers, LayoutGrid, Settings, type LucideIcon } from 'lucide-react';
import type { Screen } from './view';
import { useJobs } from '../hooks/use-jobs';

/**
 * The sidebar's fixed entries. EXTENSION POINT: a new top-level screen (e.g. "All snapshots") adds
 * one entry here and one `Screen` in view.ts; App renders it in the main pane.
 */
export const NAV_ENTRIES: { screen: Screen; label: string; icon: LucideIcon }[] = [
  { screen: 'overview', label: 'All workloads', icon: LayoutGrid },
  { screen: 'all-snapshots', label: 'All snapshots', icon: Layers },
  { screen: 'jobs', label: 'Jobs', icon: Activity },
  { screen: 'storage', label: 'Storage', icon: HardDrive },
  { screen: 'settings', label: 'Settings', icon: Settings },
];

/** Overview, Jobs (with how many run right now) and Settings. */
export function SidebarNav({ current, onNavigate }: { current: Screen | null; onNavigate: (screen: Screen) => void }) {
  const running = useJobs().data?.filter((j) => j.status === 'running').length ?? 0;
  return (
    <ul className="sidebar-nav">
      {NAV_ENTRIES.map(({ screen, label, icon: Icon }) => (
        <li key={screen}>
          <button
            type="button"
            className="sidebar-item"
            aria-current={current === screen ? 'page' : undefined}
            onClick={() => onNavigate(screen)}
          >
            <Icon aria-hidden size={16} />
            <span className="grow">{label}</span>
            {screen === 'jobs' && running > 0 && <span className="badge">{running} running</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
