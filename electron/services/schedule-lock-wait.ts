import type { EngineClient } from '../docker/engine';
import { lockVolumes } from '../docker/volume-lock';
import { VolsnapError } from '../../shared/errors';
import { formatSeconds } from '../../shared/schedule-types';

/** How long a scheduled run waits for volumes another job holds, and how often it looks; tests pass their own. */
export interface LockWait {
  boundMs: number;
  pollMs: number;
  /** Resolves after `ms` (tests step a manual clock instead of sleeping). */
  sleep(ms: number): Promise<void>;
}

/** A restore of a large volume takes minutes; past half an hour the slot is given up, not the schedule. */
export const DEFAULT_LOCK_WAIT: LockWait = {
  boundMs: 30 * 60_000,
  pollMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface VolumeWaitDeps {
  docker: EngineClient;
  dataDir: string;
  helperImage: () => string;
  wait: LockWait;
  now: () => number;
}

/**
 * Waits until no other job (of any store on the engine: a restore, another store's capture, a
 * capture of another workload sharing a volume) holds one of `volumes`, by taking their locks and
 * giving them back at once. Resolves null once they are free, or with the reason a person reads
 * when they are still held after the bound. `onWait` hears why it waits, once per new holder.
 *
 * Only a lock refusal (`Conflict` from the lock itself) waits: the capture's own `Conflict`s (an
 * unfinished restore's folders, a name taken) need the user and still fail the run at once. Any
 * other probe failure (the helper image not pulled yet) lets the capture run and report it.
 */
export async function waitForFreeVolumes(
  deps: VolumeWaitDeps,
  volumes: string[],
  jobId: string,
  onWait: (reason: string, giveUpAt: number) => void,
): Promise<string | null> {
  const giveUpAt = deps.now() + deps.wait.boundMs;
  let last: string | null = null;
  for (;;) {
    const held = await heldBy(deps, volumes, jobId);
    if (held === null) return null;
    if (deps.now() >= giveUpAt) {
      return `The scheduled capture waited ${formatSeconds(Math.round(deps.wait.boundMs / 1000))} for its volumes and gave up for this slot; it runs again at the next one. ${held}`;
    }
    if (held !== last) onWait(held, giveUpAt);
    last = held;
    await deps.wait.sleep(deps.wait.pollMs);
  }
}

/** The lock refusal's message while another live job holds one of the volumes, else null. */
async function heldBy(deps: VolumeWaitDeps, volumes: string[], jobId: string): Promise<string | null> {
  try {
    const locks = await lockVolumes(deps.docker, volumes, {
      jobId,
      kind: 'capture',
      dataDir: deps.dataDir,
      image: deps.helperImage(),
    });
    await locks.release();
    return null;
  } catch (error) {
    if (error instanceof VolsnapError && error.kind === 'Conflict') return error.message;
    return null;
  }
}
