import { accessSync, constants, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { VolsnapError } from '../../shared/errors';

/**
 * The data directory cannot be a setting in the catalog it locates, so a chosen one is kept in a
 * small `config.json` in the platform's config directory, read by the app and the CLI alike.
 * Precedence: `--data-dir` (CLI) > VOLSNAP_DATA_DIR > this pointer > the platform default.
 */
export function configFilePath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.VOLSNAP_CONFIG_DIR) return path.join(path.resolve(env.VOLSNAP_CONFIG_DIR), 'config.json');
  const home = env.HOME ?? homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Preferences', 'Volsnap', 'config.json');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Volsnap', 'config.json');
    default:
      return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'volsnap', 'config.json');
  }
}

/** The data directory the user chose (`volsnap config set dataDir`, or the app's folder picker), if any. */
export function readDataDirPointer(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VolsnapError(
      'InvalidInput',
      `Cannot read ${file}: ${(error as Error).message}. Fix its permissions or delete it.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const dataDir = (parsed as { dataDir?: unknown } | null)?.dataDir;
  if (typeof dataDir !== 'string' || !path.isAbsolute(dataDir)) {
    // Guessing a location here could show an empty store and hide the user's snapshots: refuse instead.
    throw new VolsnapError(
      'InvalidInput',
      `${file} should be {"dataDir": "<absolute folder>"}. Fix it, delete it to use the default folder, or run volsnap config set dataDir <folder>.`,
    );
  }
  return dataDir;
}

/** Records the chosen data directory; written to a temp file and renamed, so a crash leaves the old one. */
export function writeDataDirPointer(file: string, dataDir: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ dataDir: path.resolve(dataDir) }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** Creates the data directory if needed and checks we can write in it; a clear `InvalidInput` otherwise. */
export function assertWritableDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new VolsnapError(
      'InvalidInput',
      `Cannot write to the data directory ${dataDir} (${reason}). Choose a writable folder: volsnap config set dataDir <folder>, --data-dir, or VOLSNAP_DATA_DIR.`,
    );
  }
}
