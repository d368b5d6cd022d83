import type { ChunkIndex } from '../../store/chunks/chunk-index';
import type { PackFiles } from './pack-files';

export interface PackGarbage {
  /** Temp packs of writers that never sealed them. */
  temps: string[];
  /** Sealed pack files whose index rows never committed (a crash between rename and commit). */
  unindexed: string[];
}

/**
 * Finds what a crashed pack writer left. Only call it while no pack writer is running in any
 * process (the start-up sweep, under the same liveness rules as capture temps): a live writer's
 * pack is unindexed between its rename and its commit.
 */
export async function findPackGarbage(packs: PackFiles, index: ChunkIndex): Promise<PackGarbage> {
  const onDisk = await packs.list();
  const known = index.packIds();
  return { temps: onDisk.temps, unindexed: onDisk.packs.filter((id) => !known.has(id)) };
}

export async function removePackGarbage(packs: PackFiles, garbage: PackGarbage): Promise<void> {
  for (const id of garbage.temps) await packs.removeTemp(id);
  for (const id of garbage.unindexed) await packs.remove(id);
}
