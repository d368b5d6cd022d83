import { BrowserWindow, nativeTheme } from 'electron';
import { appUrl, type AppLocation } from './app-origin';
import { mainWindowOptions } from './window-options';
import type { EventMap, EventName } from '../../shared/contract';

export interface MainWindowOptions {
  location: AppLocation;
  preloadPath: string;
  iconPath: string;
  /** Read at each close: the `keepInTrayOnClose` setting. */
  keepInTray(): boolean;
  /** True once the user chose Quit: closing then really closes. */
  quitting(): boolean;
}

/**
 * The one app window: created on demand, hidden (not closed) on close when the app stays in the
 * tray, and the target of every event main pushes.
 */
export class MainWindow {
  private window: BrowserWindow | null = null;

  constructor(private readonly options: MainWindowOptions) {}

  /** Shows and focuses the window, creating it if needed (a second launch, the tray, the dock). */
  show(): void {
    if (!this.window) {
      // A new window shows itself once painted (`ready-to-show`).
      this.window = this.create();
      return;
    }
    if (this.window.isMinimized()) this.window.restore();
    this.window.show();
    this.window.focus();
  }

  /** Sends a contract event to the page, if a page is open. */
  send<E extends EventName>(event: E, payload: EventMap[E]): void {
    const contents = this.window?.webContents;
    if (contents && !contents.isDestroyed()) contents.send(event, payload);
  }

  /** Opens the app on a snapshot (tray menu, notification click). */
  showSnapshot(target: EventMap['ui:show-snapshot']): void {
    const fresh = this.window === null;
    this.show();
    // A page that is still loading has not subscribed yet: tell it once it has loaded.
    if (fresh || this.window?.webContents.isLoading()) {
      this.window?.webContents.once('did-finish-load', () => this.send('ui:show-snapshot', target));
    } else {
      this.send('ui:show-snapshot', target);
    }
  }

  private create(): BrowserWindow {
    const window = new BrowserWindow(
      mainWindowOptions({
        preloadPath: this.options.preloadPath,
        iconPath: this.options.iconPath,
        dark: nativeTheme.shouldUseDarkColors,
      }),
    );
    window.removeMenu();
    window.once('ready-to-show', () => {
      window.show();
      window.focus();
    });
    window.on('close', (event) => {
      if (!this.options.quitting() && this.options.keepInTray()) {
        event.preventDefault();
        window.hide();
      }
    });
    window.on('closed', () => {
      this.window = null;
    });
    void window.loadURL(appUrl(this.options.location));
    return window;
  }
}
