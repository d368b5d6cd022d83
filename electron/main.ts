import { app, dialog, session } from 'electron';
import path from 'node:path';
import { ServicesHolder, type EngineControl } from './host/engine-switch';
import { createHandlers } from './host/handlers';
import { useSavePicker } from './host/save-as';
import { useMenuPopup } from './host/native-menu';
import { popupNativeMenu } from './host/native-menu-electron';
import { useBundlePickers } from './host/bundle-files';
import type { Services } from './services';
import { openHostServices } from './host/host-services';
import { connectEngine } from './docker/engine';
import { defaultDataDir } from './services/data-dir';
import { configFilePath, writeDataDirPointer } from './services/data-dir-pointer';
import { startBackgroundScheduler } from './services/background-scheduler';
import { resolveConfiguredEngine } from './services/engine-choice';
import type { AppLocation } from './shell/app-origin';
import {
  askForAnotherFolder,
  confirmQuitDuring,
  pickBundleFile,
  pickBundleSavePath,
  pickDataFolder,
  pickSavePath,
} from './shell/dialogs';
import { registerIpc } from './shell/ipc';
import { applyLaunchAtLogin, startedHidden } from './shell/launch-at-login';
import { MainWindow } from './shell/main-window';
import { openStore } from './shell/open-store';
import { hardenContents, hardenSession } from './shell/security';
import { startTray } from './shell/tray';

// The Electron entry: app lifecycle and wiring only. Logic lives in services/ and shell/*.ts.

const location: AppLocation =
  !app.isPackaged && process.env.VOLSNAP_DEV_URL
    ? { kind: 'dev', url: process.env.VOLSNAP_DEV_URL }
    : { kind: 'file', indexPath: path.join(__dirname, 'renderer', 'index.html') };
const resourcesDir = path.join(app.getAppPath(), 'resources');
const log = (message: string) => console.error(`volsnap: ${message}`);
let quitting = false;
let window: MainWindow | null = null;
/** Asks before quitting over running jobs; replaced once the services exist. */
let mayQuit: () => boolean = () => true;

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.setAppUserModelId('dev.volsnap.app');
  app.on('second-instance', () => window?.show());
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, location));
  app.on('before-quit', (event) => {
    if (quitting || mayQuit()) quitting = true;
    else event.preventDefault();
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('Volsnap could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession, location);
  // The engine the docker CLI would use (a dock-started app has no DOCKER_HOST); a broken choice
  // (a missing context) falls back to the default socket and the header shows that engine's state.
  const engine = await resolveConfiguredEngine().catch((error: unknown) => {
    log(`engine: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  const store = openStore(defaultDataDir, {
    open: (dataDir) => openHostServices({ dataDir, docker: engine && connectEngine(engine) }),
    askForAnother: askForAnotherFolder,
    pickFolder: pickDataFolder,
    remember: (dataDir) => writeDataDirPointer(configFilePath(), dataDir),
  });
  if (!store) return app.quit();
  const services = store.value;
  // Crash cleanup and restore recovery finish before any window exists, so no restore is offered
  // over a half-swapped workload.
  await services.sweep();
  // The engine picker replaces the services (same data dir, another engine) without a restart.
  const holder = new ServicesHolder({ services, engine, handlers: handlersSyncingLoginItem });
  registerIpc({ handlers: holder.handlers, location, log });
  const shown = new MainWindow({
    location,
    preloadPath: path.join(__dirname, 'preload.cjs'),
    iconPath: path.join(resourcesDir, 'icon.png'),
    keepInTray: () => holder.current.settings.get('keepInTrayOnClose'),
    quitting: () => quitting,
  });
  window = shown;
  mayQuit = () => confirmQuitDuring(holder.current.jobs.running());
  const showSnapshot = (snapshotId: string) => {
    try {
      shown.showSnapshot({ snapshotId, workloadId: holder.current.snapshots.show(snapshotId).workloadId });
    } catch {
      // The menu can be older than the catalog (a snapshot deleted by the CLI): just open the app.
      shown.show();
    }
  };
  const tray = startTray({
    services,
    engineName: () => holder.target().name,
    resourcesDir,
    openApp: () => shown.show(),
    showSnapshot,
    quit: () => app.quit(),
    log,
  });
  const stopSwitches = holder.switched.on((next) => tray.useServices(next));
  const stopEvents = holder.bridge((event, payload) => {
    shown.send(event, payload);
    if (event === 'workloads:list-changed') tray.refresh();
  });
  // Due schedules each minute and retention each hour, also while minimised to the tray.
  const scheduler = startBackgroundScheduler(() => holder.current, log);
  applyLaunchAtLogin(services.settings.get('launchAtLogin'), log);
  app.on('activate', () => shown.show());
  // With keepInTrayOnClose off, closing the window quits (except on macOS, where apps stay in the dock).
  app.on('window-all-closed', () => process.platform !== 'darwin' && app.quit());
  app.on('will-quit', () => {
    scheduler.stop();
    stopEvents();
    stopSwitches();
    tray.dispose();
    holder.close();
    services.close();
  });
  if (!startedHidden()) shown.show();
}

/** The contract handlers, with `settings:set` also applying launch at login right away. */
function handlersSyncingLoginItem(services: Services, engines: EngineControl) {
  // "Save as…" of snapshot files asks through the native dialog (the web host downloads instead).
  useSavePicker(pickSavePath);
  useMenuPopup(popupNativeMenu);
  useBundlePickers({ save: pickBundleSavePath, open: pickBundleFile });
  const handlers = createHandlers(services, engines);
  const setSetting = handlers.setSetting;
  handlers.setSetting = async (input) => {
    const settings = await setSetting(input);
    applyLaunchAtLogin(settings.launchAtLogin, log);
    return settings;
  };
  return handlers;
}

main();
