import type Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { engineCall, engineError } from './engine';
import { HELPER_LABEL } from './workloads';
import { HOST, pidAlive } from '../store/liveness';
import { VolsnapError } from '../../shared/errors';

/**
 * Engine-wide locks on volumes, seen by every Volsnap process on the engine whatever its data
 * dir: a created, never-started container named `volsnap-lock-<volume>`. Container names are
 * unique per engine, so creating it is atomic and a 409 means another job holds the volume.
 * Labels say who: job, kind, pid (and its start time), host, data dir and since when. They are
 * immutable, so there is no heartbeat: an owner on this host is dead when its pid is gone (or now
 * belongs to a process started later); an owner on another host
 * (two machines sharing one engine) cannot be checked and counts as dead only after
 * REMOTE_STALE_MS. The helper label keeps locks out of the workload list.
 */
export const LOCK_LABEL = 'io.volsnap.lock';
const OWNER = {
  job: 'io.volsnap.lock.job',
  kind: 'io.volsnap.lock.kind',
  pid: 'io.volsnap.lock.pid',
  pidStart: 'io.volsnap.lock.pid-start',
  host: 'io.volsnap.lock.host',
  dataDir: 'io.volsnap.lock.data-dir',
  since: 'io.volsnap.lock.since',
} as const;
/** No capture or restore takes this long; past it a lock of another host is presumed abandoned. */
const REMOTE_STALE_MS = 24 * 3600 * 1000;

export interface LockOwner {
  jobId: string;
  /** What the job does to the volume: capture, restore. */
  kind: string;
  dataDir: string;
  /** A local image to create the lock container from (the helper image). */
  image: string;
}

interface LockHolder {
  containerId: string;
  volume: string;
  jobId: string;
  kind: string;
  pid: number;
  /** The owner's start time where the OS tells it (Linux), so a recycled pid is not mistaken for it. */
  pidStart: string;
  host: string;
  dataDir: string;
  since: string;
}

export interface VolumeLocks {
  release(): Promise<void>;
}

export function lockName(volume: string): string {
  return `volsnap-lock-${volume}`;
}

/**
 * Locks every volume for a job, or none: `Conflict` naming the holder's job, kind and data dir
 * if a live job of any store holds one. A lock whose owner died is taken over.
 */
export async function lockVolumes(
  docker: Docker,
  volumes: string[],
  owner: LockOwner,
  isAlive: (pid: number) => boolean = pidAlive,
): Promise<VolumeLocks> {
  const me = { ...owner, dataDir: path.resolve(owner.dataDir) };
  // All at once (nobody waits for a lock, so there is no deadlock); all or none are kept.
  const results = await Promise.allSettled([...new Set(volumes)].map((v) => lockOne(docker, v, me, isAlive)));
  const taken = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await removeLocks(taken).catch(() => undefined);
    throw failed.reason;
  }
  let released: Promise<void> | undefined;
  // Once; a second call waits for the first one's removal.
  return { release: () => (released ??= removeLocks(taken)) };
}

/** Removes the locks whose owner is dead (the start-up sweep); live owners' locks stay. */
export async function removeDeadLocks(docker: Docker, isAlive: (pid: number) => boolean = pidAlive): Promise<number> {
  const listed = await engineCall('list volume locks', () =>
    docker.listContainers({ all: true, filters: { label: [LOCK_LABEL] } }),
  );
  const dead = listed.map((c) => toHolder(c.Id, c.Labels)).filter((h) => !ownerIsLive(h, isAlive));
  await removeLocks(dead.map((h) => docker.getContainer(h.containerId)));
  return dead.length;
}

async function lockOne(
  docker: Docker,
  volume: string,
  owner: LockOwner,
  isAlive: (pid: number) => boolean,
): Promise<Docker.Container> {
  // Two rounds: the second follows a takeover of a dead owner's lock (or a lock released meanwhile).
  for (let round = 0; ; round++) {
    try {
      return await createLock(docker, volume, owner);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) throw engineError(error, `lock volume ${volume}`);
    }
    const holder = await inspectLock(docker, volume);
    if (holder && (ownerIsLive(holder, isAlive) || round > 0)) throw conflict(holder, owner.dataDir);
    // By id, never by name: another process may have taken it over already, and its lock stays.
    if (holder) await removeLocks([docker.getContainer(holder.containerId)]);
  }
}

function createLock(docker: Docker, volume: string, owner: LockOwner): Promise<Docker.Container> {
  return docker.createContainer({
    name: lockName(volume),
    Image: owner.image,
    Cmd: ['true'],
    Labels: {
      [HELPER_LABEL]: `lock:${owner.jobId}`,
      [LOCK_LABEL]: volume,
      [OWNER.job]: owner.jobId,
      [OWNER.kind]: owner.kind,
      [OWNER.pid]: String(process.pid),
      [OWNER.pidStart]: processStart(process.pid),
      [OWNER.host]: HOST,
      [OWNER.dataDir]: owner.dataDir,
      [OWNER.since]: new Date().toISOString(),
    },
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none' },
  });
}

async function inspectLock(docker: Docker, volume: string): Promise<LockHolder | null> {
  try {
    const info = await docker.getContainer(lockName(volume)).inspect();
    return toHolder(info.Id, info.Config.Labels ?? {});
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw engineError(error, `inspect the lock of volume ${volume}`);
  }
}

function toHolder(containerId: string, labels: Record<string, string>): LockHolder {
  return {
    containerId,
    volume: labels[LOCK_LABEL] ?? '',
    jobId: labels[OWNER.job] ?? '?',
    kind: labels[OWNER.kind] ?? 'job',
    pid: Number(labels[OWNER.pid] ?? 0),
    pidStart: labels[OWNER.pidStart] ?? '',
    host: labels[OWNER.host] ?? '',
    dataDir: labels[OWNER.dataDir] ?? '?',
    since: labels[OWNER.since] ?? '',
  };
}

function ownerIsLive(holder: LockHolder, isAlive: (pid: number) => boolean): boolean {
  if (holder.host === HOST) {
    if (!(holder.pid > 0 && isAlive(holder.pid))) return false;
    // Unknown on either side (another OS, /proc hidden): the pid alone decides.
    const start = processStart(holder.pid);
    return holder.pidStart === '' || start === '' || start === holder.pidStart;
  }
  const since = Date.parse(holder.since);
  return Number.isNaN(since) || Date.now() - since < REMOTE_STALE_MS;
}

/** A process's start time in clock ticks since boot (Linux `/proc/<pid>/stat`, field 22); '' elsewhere. */
function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function conflict(holder: LockHolder, ourDataDir: string): VolsnapError {
  const store = holder.dataDir === ourDataDir ? 'this store' : `the store at ${holder.dataDir}`;
  return new VolsnapError(
    'Conflict',
    `Volume ${holder.volume} is in use by a ${holder.kind} of ${store} (job ${holder.jobId}, pid ${holder.pid} on ${holder.host}, since ${holder.since}). Wait for it to finish, then try again. If that process is gone for good, \`docker rm ${lockName(holder.volume)}\` frees the volume.`,
  );
}

async function removeLocks(locks: Docker.Container[]): Promise<void> {
  await Promise.all(
    locks.map(async (lock) => {
      try {
        await lock.remove({ force: true });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw engineError(error, 'remove a volume lock');
      }
    }),
  );
}
