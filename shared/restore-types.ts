/** What a restore will do, shown in the restore dialog before the user confirms. */
export interface RestorePlan {
  snapshotId: string;
  snapshotName: string;
  workloadId: string;
  volumes: RestorePlanVolume[];
  /** Containers that will be stopped and started again (running ones). */
  containersToStop: string[];
  /** Every existing container the restore involves (stopped ones are left stopped); none is ever created. */
  containers?: string[];
  /** Plain-words notes: volumes made again (and how), containers gone since the capture. */
  notes?: string[];
  /** Why a restore cannot run, if it cannot (missing container, image, volume). */
  blockers: string[];
  /** What the dialog says in plain words: what is lost, how long it takes, what changed since. */
  details?: RestorePlanDetails;
}

/** One snapshot volume in a restore plan and the volume it goes into. */
export interface RestorePlanVolume {
  volumeName: string;
  targetVolume: string;
  mountDestination: string;
  owner: string;
  sizeBytes: number;
  /** False when the target volume is gone and the restore creates it (see `create`). */
  exists?: boolean;
  /** How a missing target is made; `derived` when the snapshot predates recorded volume labels. */
  create?: { driver: string; labels: Record<string, string>; derived: boolean } | null;
}

/** The parts of a plan the user weighs before confirming (see electron/services/restore/plan-details.ts). */
export interface RestorePlanDetails {
  /** When the snapshot was taken: changes made since then are replaced. */
  snapshotCreatedAt: string;
  /** The last successful restore of this workload, the best guide to the downtime of the next. */
  lastRestore: { downtimeMs: number; finishedAt: string; safetySnapshot: boolean } | null;
  /** A rough estimate for when there is no earlier restore to go by. */
  estimatedDowntimeMs: { withSafetySnapshot: number; withoutSafetySnapshot: number };
  /** How long each container may take to stop (its stop timeout; Docker's default is 10 s). */
  stopTimeouts: { container: string; seconds: number }[];
  /** Containers whose image is not the one recorded at capture (e.g. postgres 15 data under postgres 16). */
  imageChanges: { container: string; capturedImage: string; currentImage: string }[];
}

/** The outcome of a finished restore. */
export interface RestoreResult {
  snapshotId: string;
  safetySnapshotId: string | null;
  /** First stop to last start, in milliseconds (the swap and deleting the old contents included). */
  downtimeMs: number;
  /** First rename to last rename across all volumes, in milliseconds. */
  swapWindowMs: number;
  /** Deleting the old contents before the start (part of the downtime), in milliseconds. */
  deleteMs: number;
  /** Containers that ran before but were removed during the restore: they were not started. */
  containersGone: string[];
}

/**
 * A restore that recovery finished after its process died: the volumes hold the snapshot, but its
 * timings were not measured (a restore's result is this or a `RestoreResult`).
 */
export interface RecoveredRestoreResult {
  snapshotId: string;
  safetySnapshotId?: undefined;
  downtimeMs?: undefined;
  swapWindowMs?: undefined;
  deleteMs?: undefined;
  containersGone?: string[];
}

/** The outcome of `volsnap clone`: the new volumes, each with the snapshot volume it holds. */
export interface CloneResult {
  snapshotId: string;
  volumes: { from: string; to: string }[];
}
