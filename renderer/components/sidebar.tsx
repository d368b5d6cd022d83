import { HardDriveDownload } from 'lucide-react';
import { EnginePicker } from './engine-picker';
import { SidebarNav } from './sidebar-nav';
import { SidebarWorkloads } from './sidebar-workloads';
import type { Screen, View, WorkloadRef } from './view';

/**
 * The left sidebar: the engine (and its picker) at the top, the screens, then every workload with
 * its state at a glance. EXTENSION POINTS: top-level entries live in sidebar-nav.tsx.
 */
export function Sidebar({ view, onNavigate }: { view: View; onNavigate: (view: View) => void }) {
  const screen: Screen | null =
    view.screen === 'overview' ||
    view.screen === 'all-snapshots' ||
    view.screen === 'jobs' ||
    view.screen === 'storage' ||
    view.screen === 'settings'
      ? view.screen
      : null;
  const workloadId = view.screen === 'snapshots' || view.screen === 'diff' ? view.workload.id : null;
  return (
    <nav aria-label="Main" className="sidebar">
      <div className="sidebar-brand">
        <HardDriveDownload aria-hidden size={18} />
        <span>Volsnap</span>
      </div>
      <EnginePicker />
      <SidebarNav current={screen} onNavigate={(s) => onNavigate({ screen: s })} />
      <h2 className="sidebar-heading">Workloads</h2>
      <SidebarWorkloads
        selectedId={workloadId}
        onOpen={(workload: WorkloadRef) => onNavigate({ screen: 'snapshots', workload })}
      />
    </nav>
  );
}
