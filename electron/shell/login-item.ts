import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The argument a login launch carries, so the app starts in the tray without a window. */
export const HIDDEN_ARG = '--hidden';

/**
 * Electron's app.setLoginItemSettings works on macOS and Windows only; on Linux, launch at login
 * is an XDG autostart entry (https://specifications.freedesktop.org/autostart-spec/).
 */
export function linuxAutostartFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(env.HOME ?? homedir(), '.config'), 'autostart', 'volsnap.desktop');
}

/** The .desktop entry that starts `exec` hidden at login. */
export function linuxAutostartEntry(exec: string): string {
  // Desktop Entry Exec quoting: double quotes, with " ` $ \ escaped by a backslash.
  const quoted = `"${exec.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Volsnap',
    'Comment=Snapshots of the Docker volumes of your local stacks',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'Icon=volsnap',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the autostart entry to match the setting. */
export function syncLinuxAutostart(enabled: boolean, options: { exec: string; file: string }): void {
  if (!enabled) {
    rmSync(options.file, { force: true });
    return;
  }
  mkdirSync(path.dirname(options.file), { recursive: true });
  const temp = `${options.file}.tmp`;
  writeFileSync(temp, linuxAutostartEntry(options.exec));
  renameSync(temp, options.file);
}
