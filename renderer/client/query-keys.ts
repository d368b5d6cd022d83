/** The react-query key factory: every query the renderer makes, keyed from one place. */
export const queryKeys = {
  engine: ['engine'] as const,
  /** The engines the host could switch to (kept apart from `engine`, which is polled while it is down). */
  engines: ['engines'] as const,
  workloads: ['workloads'] as const,
  snapshotsAll: ['snapshots'] as const,
  snapshots: (workloadId: string) => ['snapshots', workloadId] as const,
  snapshot: (snapshotId: string) => ['snapshots', 'show', snapshotId] as const,
  jobs: ['jobs'] as const,
  settings: ['settings'] as const,
  appInfo: ['app-info'] as const,
  schedules: ['schedules'] as const,
  diffAll: ['diff'] as const,
  diff: (snapshot: string, against: string) => ['diff', snapshot, against] as const,
  fileDiff: (input: { snapshot: string; against: string; volume: string; path: string }) =>
    ['diff', input.snapshot, input.against, 'file', input.volume, input.path] as const,
  restorePlan: (snapshot: string) => ['restore-plan', snapshot] as const,
  /** Under `snapshots`, so every snapshot change refreshes the All snapshots view too. */
  storeSnapshots: ['snapshots', 'store'] as const,
  /** Under `snapshots` too: a capture, delete or prune changes what the store holds. */
  storeUsage: ['snapshots', 'usage'] as const,
  snapshotFiles: (input: { snapshot: string; volume?: string; path?: string; search?: string }) =>
    ['snapshot-files', input.snapshot, input.volume ?? '', input.path ?? '.', input.search ?? ''] as const,
  snapshotFilePreview: (input: { snapshot: string; volume?: string; path: string }) =>
    ['snapshot-file', input.snapshot, input.volume ?? '', input.path] as const,
};
