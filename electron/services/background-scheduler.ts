import type { RetentionService } from './retention-service';
import type { ScheduleService } from './schedule-service';
import type { StoreMigration } from './chunked/store-migration';

/** The timers the scheduler uses; tests pass their own to step time by hand. */
export interface SchedulerTimers {
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface BackgroundSchedulerDeps {
  schedules: Pick<ScheduleService, 'runDue'>;
  retention: Pick<RetentionService, 'prune'>;
  /** Converts a store's format 1 archives to chunks after retention (so nothing about to go is converted). */
  migration?: Pick<StoreMigration, 'run'>;
  /** Unexpected failures (engine down, catalog closed): logged by the host, never thrown. */
  log(message: string): void;
  timers?: SchedulerTimers;
}

export const SCHEDULE_TICK_MS = 60_000;
export const MAINTENANCE_MS = 3_600_000;

const REAL_TIMERS: SchedulerTimers = {
  setInterval: (run, ms) => {
    const handle = setInterval(run, ms);
    // The app and `volsnap serve` stay up for their own reasons; the scheduler never keeps them.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/**
 * What runs in the background while the app (or `volsnap serve`) runs: due schedules every minute
 * and retention (keep-last, max age, pre-restore expiry, old failed captures) every hour, both once
 * at start, so a run missed while the app was closed happens once then. Retention leaves snapshots
 * that a job reads alone (snapshot leases, retention-service.ts). A pass still running when the next
 * one is due is not doubled: the next tick is skipped.
 */
export class BackgroundScheduler {
  private readonly timers: SchedulerTimers;
  private handles: unknown[] = [];
  private ticking: Promise<void> | null = null;
  private maintaining: Promise<void> | null = null;
  private migrating: Promise<void> | null = null;
  private lastError: string | null = null;
  private stopped = false;

  constructor(private readonly deps: BackgroundSchedulerDeps) {
    this.timers = deps.timers ?? REAL_TIMERS;
  }

  /** Runs maintenance and due schedules once now, then on their intervals; resolves after the first pass. */
  async start(): Promise<void> {
    this.handles = [
      this.timers.setInterval(() => void this.tick(), SCHEDULE_TICK_MS),
      this.timers.setInterval(() => void this.maintain(), MAINTENANCE_MS),
    ];
    await this.maintain();
    await this.tick();
  }

  /** Captures what is due; a tick while the last one still runs (a long capture) does nothing. */
  tick(): Promise<void> {
    if (this.stopped || this.ticking) return this.ticking ?? Promise.resolve();
    this.ticking = this.deps.schedules
      .runDue()
      .then(() => this.recovered())
      .catch((error: unknown) => this.report('scheduled captures', error))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** Applies retention to every workload, without a capture, then goes on converting the store. */
  maintain(): Promise<void> {
    if (this.stopped || this.maintaining) return this.maintaining ?? Promise.resolve();
    this.maintaining = this.deps.retention
      .prune()
      .then(() => undefined)
      .catch((error: unknown) => this.report('retention', error))
      .finally(() => {
        this.maintaining = null;
        // Not awaited: a long conversion must not hold up the schedules' first pass.
        void this.migrate();
      });
    return this.maintaining;
  }

  /** One pass of the format migration (one at a time); what it left undone is retried on the next pass. */
  migrate(): Promise<void> {
    if (this.stopped || !this.deps.migration || this.migrating) return this.migrating ?? Promise.resolve();
    this.migrating = this.migratePass().finally(() => (this.migrating = null));
    return this.migrating;
  }

  private async migratePass(): Promise<void> {
    try {
      const report = await this.deps.migration!.run();
      if (report.converted > 0) {
        this.deps.log(`store: ${report.converted} volumes now kept as deduplicated chunks, ${report.remaining} to go`);
      }
      for (const line of report.skipped) this.deps.log(`store conversion left ${line}`);
    } catch (error) {
      this.report('store conversion', error);
    }
  }

  /** Stops the timers; a pass in progress finishes (its capture is a job like any other). */
  stop(): void {
    this.stopped = true;
    for (const handle of this.handles.splice(0)) this.timers.clearInterval(handle);
  }

  /** Logs a failure once, not every minute while the engine stays down. */
  private report(what: string, error: unknown): void {
    const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    if (message !== this.lastError) this.deps.log(message);
    this.lastError = message;
  }

  private recovered(): void {
    this.lastError = null;
  }
}

/**
 * Starts the scheduler over whichever services are current when each pass runs (the app replaces
 * them when the user switches engines); the first pass runs in the background.
 */
export function startBackgroundScheduler(
  current: () => {
    schedules: Pick<ScheduleService, 'runDue'>;
    retention: Pick<RetentionService, 'prune'>;
    migration: Pick<StoreMigration, 'run'>;
  },
  log: (message: string) => void,
): BackgroundScheduler {
  const scheduler = new BackgroundScheduler({
    schedules: { runDue: () => current().schedules.runDue() },
    retention: { prune: () => current().retention.prune() },
    migration: { run: () => current().migration.run() },
    log,
  });
  void scheduler.start();
  return scheduler;
}
