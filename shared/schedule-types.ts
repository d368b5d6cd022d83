/** When a workload is captured on its own: every N seconds, or daily at a local HH:MM. */
export type ScheduleRule = { kind: 'every'; seconds: number } | { kind: 'daily'; at: string };

/**
 * How the last scheduled run went: `running` while its capture runs, `waiting` when the workload
 * was busy (another capture or a restore held it) and the run is tried again a minute later.
 */
export type ScheduleOutcome = 'running' | 'succeeded' | 'failed' | 'waiting';

/** A workload's schedule on one engine, as lists show it. */
export interface Schedule {
  engineId: string;
  workloadId: string;
  workloadName: string;
  rule: ScheduleRule;
  /** ISO time of the next run; in the past (or now) when due. */
  nextRunAt: string;
  /** ISO time of the last scheduled run that started a capture (or failed to), null before the first. */
  lastRunAt: string | null;
  lastOutcome: ScheduleOutcome | null;
  /** Why the last run failed or waits, for a person. */
  lastError: string | null;
  lastSnapshotId: string | null;
}

/** What one `run-due` did for one due workload. */
export interface ScheduleRun {
  workloadId: string;
  workloadName: string;
  outcome: 'succeeded' | 'failed' | 'waiting';
  snapshotId: string | null;
  snapshotName: string | null;
  error: string | null;
}

/** "every 1h", "every 15m", "daily at 03:00". */
export function describeRule(rule: ScheduleRule): string {
  return rule.kind === 'daily' ? `daily at ${rule.at}` : `every ${formatSeconds(rule.seconds)}`;
}

/** 90 → "90s", 900 → "15m", 5400 → "1h30m", 86400 → "1d". */
export function formatSeconds(seconds: number): string {
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ];
  if (seconds % 60 !== 0) return `${seconds}s`;
  let rest = seconds;
  let text = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text || '0s';
}
