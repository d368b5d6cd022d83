import { humanBytes } from '../../shared/format';
import type { ErrorData } from '../../shared/errors';
import type { Snapshot } from '../../shared/types';
import type { ScheduleRun } from '../../shared/schedule-types';

/** An OS notification as text; the Electron shell shows it, tests read it. */
export interface TrayNotification {
  title: string;
  body: string;
  /** Clicking it opens the app on this snapshot. */
  snapshotId?: string;
}

/** A tray capture finished: which snapshot, how big, how long it took. */
export function captureDoneNotice(snapshot: Snapshot, durationMs: number): TrayNotification {
  return {
    title: `Snapshot of ${snapshot.workloadName} saved`,
    body: `${snapshot.name} · ${humanBytes(snapshot.sizeBytes)} (${humanBytes(snapshot.storedBytes)} stored) · ${humanDuration(durationMs)}`,
    snapshotId: snapshot.id,
  };
}

/** A tray capture failed, or could not start (`Conflict` while a restore runs, engine down, …). */
export function captureFailedNotice(workloadName: string, error: ErrorData, started: boolean): TrayNotification {
  const outcome = !started ? 'not started' : error.kind === 'Cancelled' ? 'cancelled' : 'failed';
  return {
    title: `Capture of ${workloadName} ${outcome}`,
    body: error.message,
  };
}

/** "850 ms", "4.2 s", "3 min 5 s". */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A scheduled capture failed (in the app's background scheduler): which workload and why. */
export function scheduleFailedNotice(run: Pick<ScheduleRun, 'workloadName' | 'error'>): TrayNotification {
  return {
    title: `Scheduled capture of ${run.workloadName} failed`,
    body: `${run.error ?? 'unknown error'} It runs again at its next scheduled time; see Settings → Schedules.`,
  };
}
