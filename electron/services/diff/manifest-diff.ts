import type {
  ChangeKind,
  DiffEntry,
  DiffEntrySide,
  DiffSummary,
  ModifiedEntry,
  VolumeDiff,
} from '../../../shared/diff-types';
import type { ManifestEntry } from '../../../shared/types';

/** The volume root: reported only when its own mode or owner changes, never as added or removed. */
const ROOT = '.';

/** The entries of one volume that differ between two manifests, each list sorted by path. */
export interface EntryChanges {
  added: DiffEntry[];
  removed: DiffEntry[];
  modified: ModifiedEntry[];
}

/**
 * Compares two manifests of one volume. Order-independent (a Map, not a merge join), because
 * SQLite sorts paths by UTF-8 bytes and JavaScript by UTF-16 units: they disagree on some names.
 * mtime is ignored on purpose: a directory's mtime moves with every child added or removed, and
 * a file rewritten with the same bytes is not a change a user cares about.
 */
export function diffManifests(before: ManifestEntry[], after: ManifestEntry[]): EntryChanges {
  const afterByPath = new Map<string, ManifestEntry>();
  for (const entry of after) afterByPath.set(entry.path, entry);
  const removed: ManifestEntry[] = [];
  const both: [ManifestEntry, ManifestEntry][] = [];
  for (const old of before) {
    const now = afterByPath.get(old.path);
    if (now === undefined) removed.push(old);
    else {
      afterByPath.delete(old.path);
      both.push([old, now]);
    }
  }
  return changeLists({ removed, added: [...afterByPath.values()], both });
}

/**
 * The lists a user reads, from entries already matched by path: only-before, only-after, and
 * pairs on both sides (unchanged pairs are dropped here).
 */
export function changeLists(matched: {
  removed: ManifestEntry[];
  added: ManifestEntry[];
  both: [ManifestEntry, ManifestEntry][];
}): EntryChanges {
  const modified: ModifiedEntry[] = [];
  for (const [old, now] of matched.both) {
    const changes = changesBetween(old, now);
    if (changes.length > 0) modified.push({ path: old.path, changes, before: toSide(old), after: toSide(now) });
  }
  const listed = (entries: ManifestEntry[]) => sortByPath(entries.filter((e) => e.path !== ROOT).map(toDiffEntry));
  return { added: listed(matched.added), removed: listed(matched.removed), modified: sortByPath(modified) };
}

/**
 * What changed about one path. A type change says only `type`: the mode, size and target of a
 * file that became a symlink differ by nature, and listing them would bury the real news.
 */
export function changesBetween(before: ManifestEntry, after: ManifestEntry): ChangeKind[] {
  if (before.type !== after.type) return ['type'];
  const changes: ChangeKind[] = [];
  if (before.type === 'file' && before.sha256 !== after.sha256) changes.push('content');
  if (before.size !== after.size) changes.push('size');
  if (before.mode !== after.mode) changes.push('mode');
  if (before.uid !== after.uid || before.gid !== after.gid) changes.push('owner');
  if (before.linkTarget !== after.linkTarget) changes.push('linkTarget');
  return changes;
}

/** The diff of a volume present on both sides. */
export function volumeDiff(volumeName: string, before: ManifestEntry[], after: ManifestEntry[]): VolumeDiff {
  return bothSidesDiff(volumeName, diffManifests(before, after));
}

/** Wraps the changes of a volume present on both sides with its summary. */
export function bothSidesDiff(volumeName: string, changes: EntryChanges): VolumeDiff {
  return { volumeName, presence: 'both', summary: summarize(changes), ...changes };
}

/** A volume present on one side only, reported as a whole: all its entries added or removed. */
export function oneSidedVolumeDiff(
  volumeName: string,
  side: 'before-only' | 'after-only',
  entries: ManifestEntry[],
): VolumeDiff {
  const listed = sortByPath(entries.filter((e) => e.path !== ROOT).map(toDiffEntry));
  const changes: EntryChanges =
    side === 'before-only'
      ? { added: [], removed: listed, modified: [] }
      : { added: listed, removed: [], modified: [] };
  return { volumeName, presence: side, summary: summarize(changes), ...changes };
}

/**
 * Counts and bytes of one volume's changes. `modifiedBytes` counts the after side of every
 * modified entry: the bytes that are now different from the snapshot.
 */
export function summarize(changes: EntryChanges): DiffSummary {
  const bytes = (list: { size: number }[]) => list.reduce((total, e) => total + e.size, 0);
  return {
    added: changes.added.length,
    removed: changes.removed.length,
    modified: changes.modified.length,
    addedBytes: bytes(changes.added),
    removedBytes: bytes(changes.removed),
    modifiedBytes: bytes(changes.modified.map((m) => m.after)),
  };
}

/** The total over every volume. */
export function totalSummary(volumes: VolumeDiff[]): DiffSummary {
  const total: DiffSummary = { added: 0, removed: 0, modified: 0, addedBytes: 0, removedBytes: 0, modifiedBytes: 0 };
  for (const { summary } of volumes) {
    for (const key of Object.keys(total) as (keyof DiffSummary)[]) total[key] += summary[key];
  }
  return total;
}

function toDiffEntry(entry: ManifestEntry): DiffEntry {
  return { path: entry.path, type: entry.type, size: entry.size };
}

function toSide(entry: ManifestEntry): DiffEntrySide {
  return {
    type: entry.type,
    size: entry.size,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    sha256: entry.sha256,
    linkTarget: entry.linkTarget,
  };
}

function sortByPath<T extends { path: string }>(list: T[]): T[] {
  return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
