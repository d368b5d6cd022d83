import { app } from 'electron';
import { HIDDEN_ARG, linuxAutostartFile, syncLinuxAutostart } from './login-item';

/** Applies the `launchAtLogin` setting: a login item on macOS and Windows, XDG autostart on Linux. */
export function applyLaunchAtLogin(enabled: boolean, log: (message: string) => void): void {
  // A development build would register the bare Electron binary: only packaged apps do this.
  if (!app.isPackaged) return;
  try {
    if (process.platform === 'linux') {
      syncLinuxAutostart(enabled, { exec: process.env.APPIMAGE ?? process.execPath, file: linuxAutostartFile() });
    } else {
      app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
    }
  } catch (error) {
    log(`could not change launch at login: ${String(error)}`);
  }
}

/** True when launched at login: the app then starts in the tray without a window. */
export function startedHidden(): boolean {
  if (process.argv.includes(HIDDEN_ARG)) return true;
  return process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
}
