import {
  captureDoneNotice,
  captureFailedNotice,
  scheduleFailedNotice,
  type TrayNotification,
} from './tray-notifications';
import { RECENT_SNAPSHOTS, type TrayActivity, type TrayState } from './tray-menu';
import type { Services } from '../services';
import { toErrorData } from '../../shared/errors';
import type { ScheduleRun } from '../../shared/schedule-types';
import type { Job, JobProgress } from '../../shared/types';
import { phaseText } from '../../shared/job-phase';

export interface TrayControllerDeps {
  services: TrayServices;
  /** The name of the engine the services talk to (the menu shows it). */
  engineName(): string;
  /** Draws the state (menu and icon); called after every change. */
  render(state: TrayState): void;
  notify(notice: TrayNotification): void;
  /** Unexpected failures of background refreshes (the catalog closed on quit, …); logged by main. */
  onError?(error: unknown): void;
  now?: () => number;
}

type TrayServices = Pick<Services, 'workloads' | 'snapshots' | 'catalog' | 'capture' | 'jobs'> &
  Partial<Pick<Services, 'schedules' | 'engines' | 'usage'>>;

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
  private services: TrayServices;

  constructor(private readonly deps: TrayControllerDeps) {
    this.services = deps.services;
    this.current = {
      engine: { ok: true },
      engineName: deps.engineName(),
      workloads: [],
      snapshots: [],
      activity: { kind: 'idle' },
      now: this.now(),
    };
    this.subscribe();
  }

  /**
   * Follows the services of another engine (the app switched engines): the last engine's
   * workloads are dropped, since their captures would now go to the new engine.
   */
  useServices(services: TrayServices): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.services = services;
    this.subscribe();
    this.update({
      engine: { ok: true },
      engineName: this.deps.engineName(),
      workloads: [],
      activity: { kind: 'idle' },
    });
    void this.refresh();
  }

  private subscribe(): void {
    const { jobs, snapshots } = this.services;
    this.unsubscribe.push(
      jobs.startedEvents.on((job) =>
        this.setActivity({ kind: 'busy', text: `${verb(job)} ${this.workloadName(job.workloadId)}…` }),
      ),
      jobs.progressEvents.on((p) => this.onProgress(p)),
      jobs.finishedEvents.on((job) => this.onFinished(job)),
      snapshots.changed.on(() => void this.refresh()),
    );
    const { schedules } = this.services;
    if (schedules) {
      this.unsubscribe.push(
        schedules.runs.on((run) => this.onScheduleRun(run)),
        schedules.changed.on(() => void this.refresh()),
      );
    }
  }

  /** A scheduled capture that failed: the failed icon and an OS notification with the reason. */
  private onScheduleRun(run: ScheduleRun): void {
    if (run.outcome !== 'failed') return;
    this.deps.notify(scheduleFailedNotice(run));
    this.setActivity({ kind: 'failed', text: `Scheduled capture of ${run.workloadName} failed: ${run.error ?? ''}` });
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
      handle = await this.services.capture.start({ workload: workloadId, trigger: 'tray' });
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
    const { workloads, catalog } = this.services;
    let engine: TrayState['engine'] = { ok: true };
    let found = this.current.workloads;
    try {
      found = await workloads.list();
    } catch (error) {
      // Keep the last known workloads so their items can stay in the menu, disabled with the reason.
      engine = { ok: false, message: toErrorData(error).message };
    }
    // Only the newest few: listing a catalog of 10,000 snapshots would block main for ~100 ms.
    // Only the current engine's (the app's lists follow the engine picker; so does the tray).
    const view = await this.services.engines?.current().catch(() => undefined);
    const recent = catalog.recentReady(RECENT_SNAPSHOTS, view && (view.engine?.id ?? null));
    // Each workload's next scheduled run; the menu goes without it if the schedules cannot be read.
    const schedules = await this.services.schedules?.list().catch(() => undefined);
    // Store near its quota or disk nearly full: re-checked after every capture and delete (refresh).
    const storageWarning = await this.services.usage?.warning().catch(() => null);
    if (this.disposed) return;
    this.update({
      engine,
      engineName: this.deps.engineName(),
      workloads: found,
      snapshots: recent,
      schedules,
      storageWarning,
    });
  }

  private onProgress(progress: JobProgress): void {
    const job = this.services.jobs.running().find((j) => j.id === progress.jobId);
    if (!job) return;
    const percent = progress.ratio === null ? '' : ` ${Math.round(progress.ratio * 100)}%`;
    const text = `${verb(job)} ${this.workloadName(job.workloadId)}… ${phaseText(progress)}${percent}`;
    if (this.current.activity.kind === 'busy' && this.now() - this.lastBusyDraw < BUSY_REDRAW_MS) return;
    this.setActivity({ kind: 'busy', text });
  }

  private onFinished(job: Job): void {
    const others = this.services.jobs.running().filter((j) => j.id !== job.id);
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
    case 'clone':
      return 'Cloning';
    case 'push':
      return 'Pushing';
    case 'pull':
      return 'Pulling';
    case 'export':
      return 'Exporting';
    case 'import':
      return 'Importing';
  }
}

function noun(job: Pick<Job, 'kind'>): string {
  return job.kind.charAt(0).toUpperCase() + job.kind.slice(1);
}
