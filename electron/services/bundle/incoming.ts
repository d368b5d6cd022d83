import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, fsyncFile, type ArchiveFiles } from '../../store/archive-files';
import { HOST, pidAlive } from '../../store/liveness';

/** An import's own folder in the store's temporary area: `<dataDir>/incoming/<pid>-<random>/`. */
export interface IncomingArea {
  dir: string;
  /** The id the snapshot will get; its archives are written to `<dir>/<snapshotId>/`. */
  snapshotId: string;
  pathOf(file: string): string;
  /** Moves the finished archives to `archives/<snapshotId>/` (a rename on the same disk). */
  commit(files: ArchiveFiles): Promise<void>;
  remove(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
  snapshotId: string;
}

const OWNER_FILE = 'owner.json';
const OWNERLESS_GRACE_MS = 60_000;

export function incomingRoot(dataDir: string): string {
  return path.join(dataDir, 'incoming');
}

/**
 * Opens a temporary area inside the data dir (same disk as the archives, so the commit is a
 * rename). It names its owner, so the sweep can tell a crashed import's leftovers from a live one.
 * `syncFile` is the file flush (a test records the calls).
 */
export async function openIncoming(
  dataDir: string,
  snapshotId: string,
  syncFile: (file: string) => Promise<void> = fsyncFile,
): Promise<IncomingArea> {
  const root = incomingRoot(dataDir);
  const dir = path.join(root, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const archivesDir = path.join(dir, snapshotId);
  await mkdir(archivesDir, { recursive: true, mode: 0o700 });
  const owner: Owner = { pid: process.pid, host: HOST, snapshotId };
  await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner));
  const pathOf = (file: string) => {
    if (file !== path.basename(file) || file.startsWith('.')) throw new Error(`bad archive file name ${file}`);
    return path.join(archivesDir, file);
  };
  return {
    dir,
    snapshotId,
    pathOf,
    commit: async (files) => {
      // The archives' bytes before the rename and the row that name them: after a power loss a
      // ready snapshot must not point at a file the disk never got.
      for (const name of await readdir(archivesDir)) await syncFile(path.join(archivesDir, name));
      await mkdir(files.root, { recursive: true });
      await fsyncDir(archivesDir);
      await rename(archivesDir, files.dirOf(snapshotId));
      await fsyncDir(files.root);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * For the sweep: removes the temporary areas of imports whose process is gone and returns the
 * snapshot ids live imports are committing, whose archive folders have no row yet and must stay.
 */
export async function sweepIncoming(dataDir: string): Promise<{ removed: number; liveIds: Set<string> }> {
  const root = incomingRoot(dataDir);
  const liveIds = new Set<string>();
  let removed = 0;
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = path.join(root, name);
    const owner = await readOwner(dir);
    // Another host's import (a shared data dir) is left alone unless its owner file is unreadable.
    if (owner !== null && (owner.host !== HOST || pidAlive(owner.pid))) {
      liveIds.add(owner.snapshotId);
      continue;
    }
    // No owner file yet: an import that is just starting, unless it is old.
    if (owner === null && (await youngerThan(dir, OWNERLESS_GRACE_MS))) continue;
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    removed++;
  }
  return { removed, liveIds };
}

async function youngerThan(dir: string, ms: number): Promise<boolean> {
  const stats = await stat(dir).catch(() => null);
  return stats !== null && Date.now() - stats.mtimeMs < ms;
}

async function readOwner(dir: string): Promise<Owner | null> {
  try {
    const owner = JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as Owner;
    return typeof owner.pid === 'number' && typeof owner.snapshotId === 'string' ? owner : null;
  } catch {
    return null;
  }
}
