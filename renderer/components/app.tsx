import { useEffect, useState } from 'react';
import { ConnectionBanner } from './connection-banner';
import { DiffScreen } from './diff-screen';
import { EngineBanner } from './engine-banner';
import { JobsScreen } from './jobs-screen';
import { NavBar, type Screen } from './nav-bar';
import { SettingsScreen } from './settings-screen';
import { SnapshotsScreen } from './snapshots-screen';
import { WorkloadsScreen } from './workloads-screen';
import { useClient } from '../client/client-context';
import { useLiveUpdates } from '../hooks/use-live-updates';
import type { Snapshot, Workload } from '../../shared/types';

type View =
  | { screen: 'workloads' }
  | { screen: 'snapshots'; workload: Pick<Workload, 'id' | 'name'> & Partial<Workload>; focusSnapshotId?: string }
  | { screen: 'diff'; workload: Pick<Workload, 'id' | 'name'> & Partial<Workload>; snapshot: Snapshot }
  | { screen: 'jobs' }
  | { screen: 'settings' };

/** The whole UI: the engine banner, the navigation and the current screen. */
export function App() {
  useLiveUpdates();
  const client = useClient();
  const [view, setView] = useState<View>({ screen: 'workloads' });
  // The tray and notifications ask the window to show one snapshot (Electron only).
  useEffect(
    () =>
      client.on('ui:show-snapshot', ({ snapshotId }) => {
        client.showSnapshot({ snapshot: snapshotId }).then(
          (s) =>
            setView({
              screen: 'snapshots',
              workload: { id: s.workloadId, name: s.workloadName },
              focusSnapshotId: s.id,
            }),
          () => setView({ screen: 'workloads' }),
        );
      }),
    [client],
  );
  const top: Screen = view.screen === 'snapshots' || view.screen === 'diff' ? 'workloads' : view.screen;
  return (
    <div className="app">
      <NavBar current={top} onNavigate={(screen) => setView({ screen })} />
      <main>
        <ConnectionBanner />
        <EngineBanner />
        {view.screen === 'workloads' && (
          <WorkloadsScreen
            onOpen={(workload) => setView({ screen: 'snapshots', workload })}
            onOpenStored={(workload) => setView({ screen: 'snapshots', workload })}
          />
        )}
        {view.screen === 'snapshots' && (
          <SnapshotsScreen
            key={`${view.workload.id}/${view.focusSnapshotId ?? ''}`}
            workload={view.workload}
            initialSelectedId={view.focusSnapshotId}
            onBack={() => setView({ screen: 'workloads' })}
            onDiff={(snapshot) => setView({ screen: 'diff', workload: view.workload, snapshot })}
          />
        )}
        {view.screen === 'diff' && (
          <DiffScreen
            snapshot={view.snapshot}
            onBack={() => setView({ screen: 'snapshots', workload: view.workload })}
          />
        )}
        {view.screen === 'jobs' && <JobsScreen />}
        {view.screen === 'settings' && <SettingsScreen />}
      </main>
    </div>
  );
}
