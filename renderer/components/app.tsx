import { useState } from 'react';
import { DiffScreen } from './diff-screen';
import { EngineBanner } from './engine-banner';
import { JobsScreen } from './jobs-screen';
import { NavBar, type Screen } from './nav-bar';
import { SettingsScreen } from './settings-screen';
import { SnapshotsScreen } from './snapshots-screen';
import { WorkloadsScreen } from './workloads-screen';
import { useLiveUpdates } from '../hooks/use-live-updates';
import type { Snapshot, Workload } from '../../shared/types';

type View =
  | { screen: 'workloads' }
  | { screen: 'snapshots'; workload: Workload }
  | { screen: 'diff'; workload: Workload; snapshot: Snapshot }
  | { screen: 'jobs' }
  | { screen: 'settings' };

/** The whole UI: the engine banner, the navigation and the current screen. */
export function App() {
  useLiveUpdates();
  const [view, setView] = useState<View>({ screen: 'workloads' });
  const top: Screen = view.screen === 'snapshots' || view.screen === 'diff' ? 'workloads' : view.screen;
  return (
    <div className="app">
      <NavBar current={top} onNavigate={(screen) => setView({ screen })} />
      <main>
        <EngineBanner />
        {view.screen === 'workloads' && (
          <WorkloadsScreen onOpen={(workload) => setView({ screen: 'snapshots', workload })} />
        )}
        {view.screen === 'snapshots' && (
          <SnapshotsScreen
            workload={view.workload}
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
