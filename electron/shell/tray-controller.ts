import { captureDoneNotice, captureFailedNotice, type TrayNotification } from './tray-notifications';
import { RECENT_SNAPSHOTS, type TrayActivity, type TrayState } from './tray-menu';
import type { Services } from '../services';
import { toErrorData } from '../../shared/errors';
import type { Job, JobProgress } from '../../shared/types';

export interface TrayControllerDeps {
  services: Pick<Services, 'workloads' | 'snapshots' | 'catalog' | 'capture' | 'jobs'>;
  /** Draws the state (menu and icon); called after every change. */
  render(state: TrayState): void;
  notify(notice: TrayNotification): void;
  /** Unexpected failures of background refreshes (the catalog closed on quit, …); logged by main. */
  onError?(error: unknown): void;
  now?: () => number;
}

/** Busy text changes (progress percentages) redraw the menu at most this often. */
const BUSY_REDRAW_MS = 1000;

/**
 * The tray's state and behaviour without Electron: keeps workloads, engine status, recent
 * snapshots and activity up to date from the services, and runs tray captures with their
 * notifications. `tray.ts` only draws what this decides.
 */
export class TrayController {
  private current: TrayState;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private lastBusyDraw = 0;
  private disposed = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: TrayControllerDeps) {
    this.current = { engine: { ok: true }, workloads: [], snapshots: [], activity: { kind: 'idle' }, now: this.now() };
    const { jobs, snapshots } = deps.services;
    this.unsubscribe.push(
      jobs.startedEvents.on((job) =>
        this.setActivity({ kind: 'busy', text: `${verb(job)} ${this.workloadName(job.workloadId)}…` }),
      ),
      jobs.progressEvents.on((p) => this.onProgress(p)),
      jobs.finishedEvents.on((job) => this.onFinished(job)),
      snapshots.changed.on(() => void this.refresh()),
    );
  }

  get state(): TrayState {
    return this.current;
  }

  /**
   * Re-reads workloads (and so the engine's status) and snapshots; concurrent calls coalesce.
   * Never rejects: it runs from event handlers, where a rejection would go unobserved.
   */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = this.load()
      .catch((error: unknown) => this.deps.onError?.(error))
      .finally(() => {
        this.refreshing = null;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          void this.refresh();
        }
      });
    return this.refreshing;
  }

  /**
   * A capture from the tray (trigger `tray`): a notification when it is saved or fails, and one
   * when it cannot start (a restore of that workload running gives `Conflict`; nothing starts).
   */
  async capture(workloadId: string): Promise<void> {
    const name = this.workloadName(workloadId);
    const startedAt = this.now();
    let handle;
    try {
      handle = await this.deps.services.capture.start({ workload: workloadId, trigger: 'tray' });
    } catch (error) {
      this.deps.notify(captureFailedNotice(name, toErrorData(error), false));
      return;
    }
    try {
      const snapshot = await handle.done;
      this.deps.notify(captureDoneNotice(snapshot, this.now() - startedAt));
    } catch (error) {
      // Failure and the failed icon come through onFinished, which also covers jobs the UI started.
      this.deps.notify(captureFailedNotice(name, toErrorData(error), true));
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private async load(): Promise<void> {
    const { workloads, catalog } = this.deps.services;
    let engine: TrayState['engine'] = { ok: true };
    let found = this.current.workloads;
    try {
      found = await workloads.list();
    } catch (error) {
      // Keep the last known workloads so their items can stay in the menu, disabled with the reason.
      engine = { ok: false, message: toErrorData(error).message };
    }
    // Only the newest few: listing a catalog of 10,000 snapshots would block main for ~100 ms.
    const recent = catalog.recentReady(RECENT_SNAPSHOTS);
    if (this.disposed) return;
    this.update({ engine, workloads: found, snapshots: recent });
  }

  private onProgress(progress: JobProgress): void {
    const job = this.deps.services.jobs.running().find((j) => j.id === progress.jobId);
    if (!job) return;
    const percent = progress.ratio === null ? '' : ` ${Math.round(progress.ratio * 100)}%`;
    const text = `${verb(job)} ${this.workloadName(job.workloadId)}… ${progress.phase}${percent}`;
    if (this.current.activity.kind === 'busy' && this.now() - this.lastBusyDraw < BUSY_REDRAW_MS) return;
    this.setActivity({ kind: 'busy', text });
  }

  private onFinished(job: Job): void {
    const others = this.deps.services.jobs.running().filter((j) => j.id !== job.id);
    if (job.status === 'failed') {
      const message = job.error?.message ?? 'unknown error';
      this.setActivity({
        kind: 'failed',
        text: `${noun(job)} of ${this.workloadName(job.workloadId)} failed: ${message}`,
      });
    } else if (others.length === 0) {
      this.setActivity({ kind: 'idle' });
    }
    void this.refresh();
  }

  private setActivity(activity: TrayActivity): void {
    if (activity.kind === 'busy') this.lastBusyDraw = this.now();
    this.update({ activity });
  }

  private update(change: Partial<TrayState>): void {
    this.current = { ...this.current, ...change, now: this.now() };
    this.deps.render(this.current);
  }

  private workloadName(workloadId: string): string {
    return this.current.workloads.find((w) => w.id === workloadId)?.name ?? workloadId.replace(/^[a-z]+:/, '');
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

function verb(job: Pick<Job, 'kind'>): string {
  switch (job.kind) {
    case 'capture':
      return 'Capturing';
    case 'restore':
      return 'Restoring';
    case 'diff':
      return 'Comparing';
  }
}

function noun(job: Pick<Job, 'kind'>): string {
  return job.kind.charAt(0).toUpperCase() + job.kind.slice(1);
}
