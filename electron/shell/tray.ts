import { Menu, Notification, Tray, nativeImage, nativeTheme } from 'electron';
import path from 'node:path';
import { TrayController } from './tray-controller';
import { buildTrayMenu, trayIconFile, trayTooltip, type TrayActions, type TrayState } from './tray-menu';
import type { TrayNotification } from './tray-notifications';
import type { Services } from '../services';

/** Re-reads the engine now and then: with the engine down there are no Docker events to wait for. */
const POLL_MS = 30_000;

export interface TrayOptions {
  services: Services;
  /** The engine's name as the app shows it (the menu's "Engine: …" line). */
  engineName: () => string;
  /** resources/ (tray icons in resources/tray, app icon resources/icon.png). */
  resourcesDir: string;
  openApp(): void;
  showSnapshot(snapshotId: string): void;
  quit(): void;
  log(message: string): void;
}

/**
 * The system tray: draws what TrayController decides (menu, icon for idle/busy/failed, tooltip)
 * and shows its notifications. Returns `refresh` (for workload changes), `useServices` (after an
 * engine switch) and `dispose`.
 */
export function startTray(options: TrayOptions): {
  refresh(): void;
  useServices(services: Services): void;
  dispose(): void;
} {
  const icon = (kind: TrayState['activity']['kind']) =>
    nativeImage.createFromPath(
      path.join(
        options.resourcesDir,
        'tray',
        trayIconFile(kind, { platform: process.platform, dark: nativeTheme.shouldUseDarkColors }),
      ),
    );
  const tray = new Tray(icon('idle'));
  tray.setToolTip('Volsnap');
  let controller: TrayController | null = null;
  const actions: TrayActions = {
    capture: (workloadId) => void controller?.capture(workloadId),
    openSnapshot: (snapshotId) => options.showSnapshot(snapshotId),
    openApp: () => options.openApp(),
    quit: () => options.quit(),
  };
  const draw = (state: TrayState) => {
    if (tray.isDestroyed()) return;
    tray.setImage(icon(state.activity.kind));
    tray.setToolTip(trayTooltip(state));
    tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenu(state, actions)));
  };
  controller = new TrayController({
    services: options.services,
    engineName: options.engineName,
    render: draw,
    notify: (notice) => notify(notice, options),
    onError: (error) => options.log(`tray refresh failed: ${String(error)}`),
  });
  const redraw = () => controller && draw(controller.state);
  nativeTheme.on('updated', redraw);
  // Windows and macOS users expect a left click on the icon to open the app.
  tray.on('click', () => options.openApp());
  void controller.refresh();
  const poll = setInterval(() => void controller?.refresh(), POLL_MS);
  return {
    refresh: () => void controller?.refresh(),
    useServices: (services) => controller?.useServices(services),
    dispose: () => {
      clearInterval(poll);
      nativeTheme.off('updated', redraw);
      controller?.dispose();
      tray.destroy();
    },
  };
}

/** Shown notifications, held until closed: a collected one loses its click handler (macOS, Windows). */
const shown = new Set<Notification>();

function notify(notice: TrayNotification, options: TrayOptions): void {
  if (!Notification.isSupported()) {
    options.log(`${notice.title}: ${notice.body}`);
    return;
  }
  const notification = new Notification({
    title: notice.title,
    body: notice.body,
    icon: path.join(options.resourcesDir, 'icon.png'),
  });
  const { snapshotId } = notice;
  notification.on('click', () => (snapshotId ? options.showSnapshot(snapshotId) : options.openApp()));
  shown.add(notification);
  notification.on('close', () => shown.delete(notification));
  notification.show();
}
