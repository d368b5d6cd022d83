import type { EntryType } from './types';

/** What changed about an entry present on both sides. */
export type ChangeKind = 'content' | 'size' | 'mode' | 'owner' | 'type' | 'linkTarget';

export interface DiffEntrySide {
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  sha256: string | null;
  linkTarget: string | null;
}

export interface DiffEntry {
  path: string;
  type: EntryType;
  size: number;
}

export interface ModifiedEntry {
  path: string;
  changes: ChangeKind[];
  before: DiffEntrySide;
  after: DiffEntrySide;
}

export interface DiffSummary {
  added: number;
  removed: number;
  modified: number;
  addedBytes: number;
  removedBytes: number;
  /** Sum of the after-side sizes of the modified entries: the bytes that now differ. */
  modifiedBytes: number;
}

export interface VolumeDiff {
  volumeName: string;
  /** `both`, or the one side the volume exists on (then all its entries are added or removed). */
  presence: 'both' | 'before-only' | 'after-only';
  summary: DiffSummary;
  added: DiffEntry[];
  removed: DiffEntry[];
  modified: ModifiedEntry[];
}

export interface DiffResult {
  /** The snapshot diffed (the "before" side). */
  snapshotId: string;
  /** `current` or the other snapshot's id (the "after" side). */
  against: string;
  summary: DiffSummary;
  volumes: VolumeDiff[];
}

export type FileDiff =
  | { kind: 'text'; path: string; volumeName: string; unified: string }
  | {
      kind: 'binary';
      path: string;
      volumeName: string;
      before: { size: number; sha256: string | null } | null;
      after: { size: number; sha256: string | null } | null;
    }
  | { kind: 'same'; path: string; volumeName: string };
