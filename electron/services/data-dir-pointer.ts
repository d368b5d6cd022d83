import { accessSync, constants, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { VolsnapError } from '../../shared/errors';

/**
 * The data directory cannot be a setting in the catalog it locates, so a chosen one is kept in a
 * small `config.json` in the platform's config directory, read by the app and the CLI alike. The
 * chosen Docker engine lives there too, so the app and every CLI follow the same engine.
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

/** What the user's config.json may hold: the chosen data directory and the chosen Docker engine. */
interface UserConfig {
  dataDir?: string;
  /** A Docker context name or an endpoint URL (`volsnap config set engine`, or the app's engine picker). */
  engine?: string;
}

const SHAPE = '{"dataDir": "<absolute folder>"}, optionally with "engine": "<context name or endpoint URL>"';

function readUserConfig(file: string): UserConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
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
  const config = parsed as { dataDir?: unknown; engine?: unknown } | null;
  const badDataDir =
    config !== null &&
    config.dataDir !== undefined &&
    (typeof config.dataDir !== 'string' || !path.isAbsolute(config.dataDir));
  const badEngine =
    config !== null && config.engine !== undefined && (typeof config.engine !== 'string' || config.engine === '');
  if (config === null || typeof config !== 'object' || badDataDir || badEngine) {
    // Guessing here could show an empty store and hide the user's snapshots, or use the wrong engine: refuse.
    throw new VolsnapError(
      'InvalidInput',
      `${file} should be ${SHAPE}. Fix it, delete it to use the defaults, or run volsnap config set dataDir <folder>.`,
    );
  }
  return config as UserConfig;
}

/** Replaces one key, keeping the others; written to a temp file and renamed, so a crash leaves the old one. */
function writeUserConfig(file: string, change: UserConfig): void {
  const next: UserConfig = { ...readUserConfig(file), ...change };
  for (const key of Object.keys(next) as (keyof UserConfig)[]) if (next[key] === undefined) delete next[key];
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** The data directory the user chose (`volsnap config set dataDir`, or the app's folder picker), if any. */
export function readDataDirPointer(file: string): string | null {
  return readUserConfig(file).dataDir ?? null;
}

/** Records the chosen data directory (the engine choice in the same file is kept). */
export function writeDataDirPointer(file: string, dataDir: string): void {
  writeUserConfig(file, { dataDir: path.resolve(dataDir) });
}

/** The engine the user chose (`volsnap config set engine`, or the app's engine picker), if any. */
export function readEngineSetting(file: string): string | null {
  return readUserConfig(file).engine ?? null;
}

/** Records the chosen engine; null forgets it (back to the docker CLI's own choice). */
export function writeEngineSetting(file: string, engine: string | null): void {
  writeUserConfig(file, { engine: engine ?? undefined });
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
