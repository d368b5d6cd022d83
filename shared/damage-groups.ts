import type { DamagedChunk } from './types';

/** Damaged chunks that lose the same thing (same problem, same snapshots and files), shown together. */
export interface DamageGroup {
  hashes: string[];
  problem: string;
  snapshots: DamagedChunk['snapshots'];
}

/**
 * Groups a verify's damaged chunks for a person to read: a lost pack is thousands of chunks, most
 * of them parts of the same few files, and one line per chunk would bury what is lost. Groups keep
 * the order in which the chunks were found (the files' order in the tar).
 */
export function damageGroups(chunks: readonly DamagedChunk[]): DamageGroup[] {
  const groups = new Map<string, DamageGroup>();
  for (const chunk of chunks) {
    const key = JSON.stringify([chunk.problem.replace(/ at offset \d+/, ''), chunk.snapshots]);
    const group = groups.get(key);
    if (group) group.hashes.push(chunk.hash);
    else groups.set(key, { hashes: [chunk.hash], problem: chunk.problem, snapshots: chunk.snapshots });
  }
  return [...groups.values()];
}

/** At most `limit` items, then how many more: `a, b, c and 12 more`. */
export function someOf(items: readonly string[], limit: number, separator = ', '): string {
  const shown = items.slice(0, limit).join(separator);
  return items.length > limit ? `${shown}${separator}and ${items.length - limit} more` : shown;
}
