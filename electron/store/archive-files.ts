import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where archives live: `<dataDir>/archives/<snapshotId>/<file>`. Paths are built only from our own
 * ids and a sanitized file name, never from anything read out of an archive.
 */
export class ArchiveFiles {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'archives');
  }

  dirOf(snapshotId: string): string {
    assertId(snapshotId);
    return path.join(this.root, snapshotId);
  }

  pathOf(snapshotId: string, file: string): string {
    if (file !== path.basename(file) || file.startsWith('.')) throw new Error(`bad archive file name ${file}`);
    return path.join(this.dirOf(snapshotId), file);
  }

  tempPathOf(snapshotId: string, file: string): string {
    return path.join(this.dirOf(snapshotId), `.${file}.tmp`);
  }

  async makeDir(snapshotId: string): Promise<void> {
    await mkdir(this.dirOf(snapshotId), { recursive: true });
    await fsyncDir(this.root);
  }

  /** Renames a finished temp file into place and makes the rename durable. */
  async commit(snapshotId: string, file: string): Promise<void> {
    await rename(this.tempPathOf(snapshotId, file), this.pathOf(snapshotId, file));
    await fsyncDir(this.dirOf(snapshotId));
  }

  /** Removes a snapshot's folder; resolves once it is gone. */
  async removeDir(snapshotId: string): Promise<void> {
    await rm(this.dirOf(snapshotId), { recursive: true, force: true });
  }

  /** Removes leftover temp files of a crashed capture. */
  async removeTemps(snapshotId: string): Promise<void> {
    const entries = await readdir(this.dirOf(snapshotId)).catch(() => [] as string[]);
    await Promise.all(
      entries.filter((e) => e.endsWith('.tmp')).map((e) => rm(path.join(this.dirOf(snapshotId), e), { force: true })),
    );
  }

  async listSnapshotDirs(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  /** Hashes an archive in 4 MiB reads: the default 64 KiB ones cost a syscall and a callback each. */
  async sha256Of(snapshotId: string, file: string): Promise<string> {
    const hash = createHash('sha256');
    const chunks = createReadStream(this.pathOf(snapshotId, file), { highWaterMark: 4 * 1024 * 1024 });
    for await (const chunk of chunks) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
}

/** Flushes a written file's bytes to the disk (opened for writing: Windows flushes only such handles). */
export async function fsyncFile(file: string): Promise<void> {
  await fsyncPath(file, 'r+');
}

export async function fsyncDir(dir: string): Promise<void> {
  // Directories cannot be opened for fsync on Windows; there the rename is already durable enough.
  if (process.platform === 'win32') return;
  await fsyncPath(dir, 'r');
}

async function fsyncPath(target: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(target, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function assertId(id: string): void {
  if (!/^[0-9a-f]{16}$/.test(id)) throw new Error(`bad snapshot id ${id}`);
}
