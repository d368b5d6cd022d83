import { randomBytes } from 'node:crypto';
import { close as closeFile, fdatasync, open as openFile, writev } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import path from 'node:path';
import { fsyncDir, fsyncFile, type ArchiveFiles } from '../../store/archive-files';
import { HOST, pidAlive } from '../../store/liveness';

/** An import's own folder in the store's temporary area: `<dataDir>/incoming/<pid>-<random>/`. */
export interface IncomingArea {
  dir: string;
  /** The id the snapshot will get; its archives are written to `<dir>/<snapshotId>/`. */
  snapshotId: string;
  pathOf(file: string): string;
  /** A new file in the area, written with its bytes flushed to disk as they come (see `flushingWriter`). */
  writer(file: string): Writable;
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
    writer: (file) => flushingWriter(pathOf(file)),
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

/** Bytes written between background flushes. */
const FLUSH_EVERY = 32 * 1024 * 1024;

/**
 * Writes a new file (mode 0600) and, every FLUSH_EVERY bytes, starts a background fdatasync, so the
 * disk writes overlap the stream instead of piling up for the commit's fsync (which still runs).
 */
function flushingWriter(file: string): Writable {
  let fd = -1;
  let unflushed = 0;
  let flushing: Promise<void> = Promise.resolve();
  const written = (bytes: number) => {
    unflushed += bytes;
    if (unflushed < FLUSH_EVERY) return;
    unflushed = 0;
    const target = fd;
    // One flush at a time; a failed one is of no consequence: the commit fsyncs the file.
    flushing = flushing.then(() => new Promise((resolve) => fdatasync(target, () => resolve())));
  };
  return new Writable({
    construct(callback) {
      openFile(file, 'w', 0o600, (error, opened) => {
        fd = opened;
        callback(error);
      });
    },
    writev(chunks, callback) {
      const buffers = chunks.map((c) => c.chunk as Buffer);
      writeAll(fd, buffers, (error) => {
        if (!error) written(buffers.reduce((sum, b) => sum + b.length, 0));
        callback(error);
      });
    },
    final(callback) {
      const target = fd;
      fd = -1;
      void flushing.then(() => closeFile(target, callback));
    },
    destroy(error, callback) {
      const target = fd;
      fd = -1;
      if (target < 0) return callback(error);
      void flushing.then(() => closeFile(target, () => callback(error)));
    },
  });
}

/** fs.writev until every byte is written (a write may be short). */
function writeAll(fd: number, buffers: Buffer[], callback: (error: Error | null) => void): void {
  writev(fd, buffers, (error, bytes) => {
    if (error) return callback(error);
    let left = bytes;
    const rest: Buffer[] = [];
    for (const buffer of buffers) {
      if (left >= buffer.length) left -= buffer.length;
      else {
        rest.push(buffer.subarray(left));
        left = 0;
      }
    }
    if (rest.length === 0) callback(null);
    else writeAll(fd, rest, callback);
  });
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
