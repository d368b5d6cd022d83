/** What a restore will do, shown in the restore dialog before the user confirms. */
export interface RestorePlan {
  snapshotId: string;
  snapshotName: string;
  workloadId: string;
  volumes: { volumeName: string; targetVolume: string; mountDestination: string; owner: string; sizeBytes: number }[];
  /** Containers that will be stopped and started again (running ones). */
  containersToStop: string[];
  /** Why a restore cannot run, if it cannot (missing container, image, volume). */
  blockers: string[];
  /** What the dialog says in plain words: what is lost, how long it takes, what changed since. */
  details?: RestorePlanDetails;
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
