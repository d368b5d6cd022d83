/** The react-query key factory: every query the renderer makes, keyed from one place. */
export const queryKeys = {
  engine: ['engine'] as const,
  workloads: ['workloads'] as const,
  snapshotsAll: ['snapshots'] as const,
  snapshots: (workloadId: string) => ['snapshots', workloadId] as const,
  snapshot: (snapshotId: string) => ['snapshots', 'show', snapshotId] as const,
  jobs: ['jobs'] as const,
  settings: ['settings'] as const,
  appInfo: ['app-info'] as const,
  diffAll: ['diff'] as const,
  diff: (snapshot: string, against: string) => ['diff', snapshot, against] as const,
  fileDiff: (input: { snapshot: string; against: string; volume: string; path: string }) =>
    ['diff', input.snapshot, input.against, 'file', input.volume, input.path] as const,
  restorePlan: (snapshot: string) => ['restore-plan', snapshot] as const,
};
