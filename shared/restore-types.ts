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
}

/** The outcome of a finished restore. */
export interface RestoreResult {
  snapshotId: string;
  safetySnapshotId: string | null;
  /** First stop to last start, in milliseconds. */
  downtimeMs: number;
  /** First rename to last rename across all volumes, in milliseconds. */
  swapWindowMs: number;
}
