import { useEffect, useState } from 'react';
import { Panel } from 'react-resizable-panels';
import { AllSnapshotsScreen } from './all-snapshots-screen';
import { BundleDrop } from './bundle-dialogs';
import { CommandPalette } from './command-palette';
import { ConnectionBanner } from './connection-banner';
import { DiffScreen } from './diff-screen';
import { EngineBanner } from './engine-banner';
import { JobStrip } from './job-strip';
import { JobToasts } from './job-toasts';
import { JobsScreen } from './jobs-screen';
import { PaneGroup, PaneHandle } from './panes';
import { SettingsScreen } from './settings-screen';
import { StorageScreen } from './storage-screen';
import { Sidebar } from './sidebar';
import { SnapshotsScreen } from './snapshots-screen';
import type { View } from './view';
import { WorkloadsScreen } from './workloads-screen';
import { useClient } from '../client/client-context';
import { useLiveUpdates } from '../hooks/use-live-updates';
import { SHORTCUTS, useShortcut } from '../hooks/use-shortcut';

/**
 * The whole UI: a resizable sidebar (engine, screens, workloads) beside the main pane (banners and
 * the current screen), the job strip along the bottom, job toasts, and the Ctrl/Cmd+K palette.
 */
export function App() {
  useLiveUpdates();
  const [view, setView] = useState<View>({ screen: 'overview' });
  const [palette, setPalette] = useState(false);
  useShowSnapshot(setView);
  useShortcut(SHORTCUTS.palette, () => setPalette((open) => !open), { inDialogs: true });
  const navigate = (next: View) => setView(next.screen === 'snapshots' ? { ...next, nonce: Date.now() } : next);
  return (
    <div className="app">
      <PaneGroup id="volsnap-app-panes" className="app-panes">
        <Panel id="sidebar" defaultSize="230px" minSize="170px" maxSize="40%" className="pane sidebar-pane">
          <Sidebar view={view} onNavigate={navigate} />
        </Panel>
        <PaneHandle label="Resize the sidebar" />
        <Panel id="main" minSize="360px" className="pane main-pane">
          <main>
            <ConnectionBanner />
            <EngineBanner />
            <Screen view={view} navigate={navigate} />
          </main>
        </Panel>
      </PaneGroup>
      <JobStrip onOpenPalette={() => setPalette(true)} />
      <JobToasts />
      <BundleDrop />
      {palette && (
        <CommandPalette
          onClose={() => setPalette(false)}
          onRun={(next) => {
            setPalette(false);
            navigate(next);
          }}
        />
      )}
    </div>
  );
}

function Screen({ view, navigate }: { view: View; navigate: (view: View) => void }) {
  switch (view.screen) {
    case 'overview':
      return <WorkloadsScreen onOpen={(workload) => navigate({ screen: 'snapshots', workload })} />;
    case 'snapshots':
      return (
        <SnapshotsScreen
          key={`${view.workload.id}/${view.nonce ?? ''}`}
          workload={view.workload}
          initialSelectedId={view.focusSnapshotId}
          initialOpen={view.open}
          onDiff={(snapshot) => navigate({ screen: 'diff', workload: view.workload, snapshot })}
        />
      );
    case 'diff':
      return (
        <DiffScreen
          snapshot={view.snapshot}
          onBack={() => navigate({ screen: 'snapshots', workload: view.workload, focusSnapshotId: view.snapshot.id })}
        />
      );
    case 'all-snapshots':
      return (
        <AllSnapshotsScreen
          onDiff={(snapshot) =>
            navigate({ screen: 'diff', workload: { id: snapshot.workloadId, name: snapshot.workloadName }, snapshot })
          }
        />
      );
    case 'jobs':
      return <JobsScreen />;
    case 'storage':
      return <StorageScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

/** The tray and notifications ask the window to show one snapshot (Electron only). */
function useShowSnapshot(setView: (view: View) => void): void {
  const client = useClient();
  useEffect(
    () =>
      client.on('ui:show-snapshot', ({ snapshotId }) => {
        client.showSnapshot({ snapshot: snapshotId }).then(
          (s) =>
            setView({
              screen: 'snapshots',
              workload: { id: s.workloadId, name: s.workloadName },
              focusSnapshotId: s.id,
              nonce: Date.now(),
            }),
          () => setView({ screen: 'overview' }),
        );
      }),
    [client, setView],
  );
}
