import { existsSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { VolsnapError } from '../../shared/errors';

/** The space reserve's file in the data dir (space-reserve.ts). */
export const RESERVE_FILE = 'space-reserve';

/**
 * Below this much free space a failing write is put down to a full disk: SQLite reports a full
 * disk as `disk I/O error` when it cannot extend its shared-memory file (-shm), not only as
 * SQLITE_FULL, and its WAL needs some room to start.
 */
const NEARLY_FULL_BYTES = 1024 * 1024;

/** Free bytes for this user on the filesystem holding `dir`, or null if it cannot be read. */
export function freeBytes(dir: string): number | null {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}

/**
 * Whether `error` (from SQLite or the file system) comes from the disk holding `dir` being full:
 * SQLITE_FULL and ENOSPC say so themselves; an I/O or read-only error counts when almost no
 * space is left.
 */
export function isDiskFullError(error: unknown, dir: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  if (!/^SQLITE_(IOERR|CANTOPEN|READONLY)/.test(code)) return false;
  const free = freeBytes(dir);
  return free !== null && free < NEARLY_FULL_BYTES;
}

/**
 * Whose words a disk-full message is in: the CLI names its commands, the app (and the web host)
 * what its screens do.
 */
export type DiskFullAudience = 'cli' | 'app';

const WORDS: Record<DiskFullAudience, { again: string; meanwhile: string; reserve: string }> = {
  cli: {
    again: 'Free some space on that disk (or move the data directory elsewhere) and run the command again.',
    meanwhile: 'Commands that only read the catalog (list, show, jobs, workloads, config get) keep working meanwhile.',
    reserve: 'Deleting snapshots (delete, prune, gc) and exporting them to another disk still work',
  },
  app: {
    again: 'Free some space on that disk, then try again.',
    meanwhile: 'The lists of workloads, snapshots and jobs keep showing meanwhile.',
    reserve: 'Deleting snapshots and exporting them to another disk still work',
  },
};

/** What a person needs to know when the data dir's disk is full. */
export function diskFullError(dir: string, audience: DiskFullAudience = 'cli'): VolsnapError {
  const words = WORDS[audience];
  const free = freeBytes(dir);
  const left = free === null ? '' : ` (${free < 1024 ? `${free} bytes` : `${Math.floor(free / 1024)} KB`} free)`;
  const reserve = existsSync(path.join(dir, RESERVE_FILE))
    ? ` ${words.reserve}: Volsnap keeps space in reserve for them.`
    : '';
  return new VolsnapError(
    'Internal',
    `The disk holding the Volsnap data directory ${dir} is full${left}, so Volsnap cannot write its catalog there. Nothing was lost: snapshots and the catalog are as they were, and the unfinished write was rolled back. ${words.again} ${words.meanwhile}${reserve}`,
  );
}

/** `error` rewritten as a disk-full error when that is its cause; otherwise unchanged. */
export function explainDiskFull(error: unknown, dir: string, audience: DiskFullAudience = 'cli'): unknown {
  if (error instanceof VolsnapError) return error;
  return isDiskFullError(error, dir) ? diskFullError(dir, audience) : error;
}
