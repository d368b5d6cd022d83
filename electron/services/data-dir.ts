import { homedir } from 'node:os';
import path from 'node:path';
import { configFilePath, readDataDirPointer } from './data-dir-pointer';

/**
 * The data directory shared by the app and the CLI: VOLSNAP_DATA_DIR, else the folder recorded in
 * config.json (data-dir-pointer.ts), else the platform's user data location (XDG on Linux,
 * Application Support on macOS, %APPDATA% on Windows).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.VOLSNAP_DATA_DIR) return path.resolve(env.VOLSNAP_DATA_DIR);
  const chosen = readDataDirPointer(configFilePath(env, platform));
  if (chosen) return chosen;
  const home = env.HOME ?? homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Volsnap');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Volsnap');
    default:
      return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'volsnap');
  }
}
