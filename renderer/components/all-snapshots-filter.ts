import type { Snapshot, Trigger } from '../../shared/types';

export type Sort = 'newest' | 'oldest' | 'largest' | 'smallest';

/** One line of the All snapshots list: the snapshot and what the connected engine says of it. */
export interface Row {
  snapshot: Snapshot;
  /** Its workload has no containers on the engine any more. */
  removed: boolean;
  /** Captured on another engine than the connected one. */
  otherEngine: boolean;
}

export interface Filters {
  query: string;
  trigger: Trigger | '';
  pinnedOnly: boolean;
  otherEngines: boolean;
  sort: Sort;
}

/**
 * Marks each snapshot removed (its workload is not among the live ones) or of another engine.
 * `liveWorkloadIds` null: the engine could not list workloads, so none is known to be removed.
 */
export function toRows(
  snapshots: Snapshot[],
  liveWorkloadIds: ReadonlySet<string> | null,
  engineId: string | null,
): Row[] {
  return snapshots.map((snapshot) => ({
    snapshot,
    removed: liveWorkloadIds !== null && !liveWorkloadIds.has(snapshot.workloadId),
    otherEngine: snapshot.engineId !== null && engineId !== null && snapshot.engineId !== engineId,
  }));
}

const ORDER: Record<Sort, (a: Snapshot, b: Snapshot) => number> = {
  newest: (a, b) => b.createdAt.localeCompare(a.createdAt),
  oldest: (a, b) => a.createdAt.localeCompare(b.createdAt),
  largest: (a, b) => b.storedBytes - a.storedBytes,
  smallest: (a, b) => a.storedBytes - b.storedBytes,
};

/** The rows the filters keep, in the chosen order; search matches name, note or workload, any case. */
export function filterAndSort(rows: Row[], f: Filters): Row[] {
  const needle = f.query.trim().toLowerCase();
  const kept = rows.filter(({ snapshot: s, otherEngine }) => {
    if (otherEngine && !f.otherEngines) return false;
    if (f.trigger !== '' && s.trigger !== f.trigger) return false;
    if (f.pinnedOnly && !s.pinned) return false;
    return needle === '' || [s.name, s.note, s.workloadName].some((text) => text.toLowerCase().includes(needle));
  });
  return kept.sort((a, b) => ORDER[f.sort](a.snapshot, b.snapshot));
}
