/** What `volsnap usage` and the app's Storage screen show (issue 18, "Usage and quota"). */

/** One snapshot's share of the store. */
export interface SnapshotUsage {
  id: string;
  name: string;
  workloadId: string;
  workloadName: string;
  createdAt: string;
  status: string;
  pinned: boolean;
  /** What it would cost stored alone, without deduplication: its volumes' files plus all its chunks. */
  aloneBytes: number;
  /** What deleting it (and then `gc`) frees now: its volumes' files plus the chunks no other snapshot uses. */
  freesBytes: number;
}

/** One workload's share: `freesBytes` is what deleting all its snapshots frees. */
export interface WorkloadUsage {
  workloadId: string;
  workloadName: string;
  snapshotCount: number;
  aloneBytes: number;
  freesBytes: number;
}

/** The free space of the disk that holds the store (statfs of the data directory). */
export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

export interface StoreUsage {
  dataDir: string;
  /** On disk: every volume file (format 1 archives, format 2 layouts) plus every pack file. */
  storedBytes: number;
  /** The sum of every snapshot's size alone: what the store would hold without deduplication. */
  aloneBytes: number;
  /** What deduplication saves: `aloneBytes − storedBytes`, never below zero. */
  savedBytes: number;
  /** The `maxStoreBytes` setting; null when there is no quota. */
  maxStoreBytes: number | null;
  /** Null when the disk cannot be asked (the folder is gone). */
  disk: DiskSpace | null;
  /**
   * The space reserve's size, 0 while none is held: a file in the data directory that is given back
   * when the disk is full, so snapshots can still be deleted and exported. Not in `storedBytes`.
   */
  reserveBytes: number;
  /** Why the tray and the Storage screen warn (store near its quota, disk nearly full); null when all is well. */
  warning: string | null;
  /** Largest `freesBytes` first. */
  workloads: WorkloadUsage[];
  /** Newest first. */
  snapshots: SnapshotUsage[];
}
