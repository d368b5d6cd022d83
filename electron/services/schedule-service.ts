import type { CaptureService } from './capture-service';
import type { EngineScope } from './engine-scope';
import { JobRunner } from './jobs';
import { isDue, latest, nextRunAt } from './schedule-plan';
import { DEFAULT_LOCK_WAIT, waitForFreeVolumes, type LockWait } from './schedule-lock-wait';
import type { WorkloadService } from './workload-service';
import type { EngineClient } from '../docker/engine';
import { readEngineIdentity } from '../docker/engine-identity';
import type { DiscoveredWorkload } from '../docker/workloads';
import type { Db } from '../store/db';
import type { Leases } from '../store/leases';
import type { SettingsStore } from '../store/settings-store';
import { SchedulesTable, type ScheduleKey, type ScheduleRow } from '../store/schedules-table';
import { Emitter } from '../../shared/emitter';
import { toErrorData } from '../../shared/errors';
import type { Schedule, ScheduleRule, ScheduleRun } from '../../shared/schedule-types';

export interface ScheduleDeps {
  db: Db;
  docker: EngineClient;
  engines: EngineScope;
  leases: Leases;
  capture: CaptureService;
  workloads: WorkloadService;
  /** Named in the probe's volume locks, like a capture's; the helper image creates them. */
  dataDir: string;
  settings: Pick<SettingsStore, 'get'>;
  now?: () => number;
  /** How long a run waits for volumes another job holds (schedule-lock-wait.ts). */
  lockWait?: LockWait;
}

/** A lease for a run that fails before any capture: the slot is recorded, nothing is held. */
const NO_LEASE = { release: () => undefined };

/**
 * Schedules per engine and workload, and `runDue`, which captures each due workload once (trigger
 * `schedule`). The app's background scheduler and `volsnap schedule run-due` (cron) both call it;
 * the slot claim in schedules-table.ts keeps them from capturing one slot twice.
 */
export class ScheduleService {
  /** Every run that ended (succeeded, failed, waiting): the tray notifies failures. */
  readonly runs = new Emitter<ScheduleRun>();
  /** A schedule was set, removed or ran. */
  readonly changed = new Emitter<void>();
  private readonly table: SchedulesTable;

  constructor(private readonly deps: ScheduleDeps) {
    this.table = new SchedulesTable(deps.db);
  }

  /** Sets (or with `null` removes) a workload's schedule on the connected engine; returns it, or null. */
  async set(workloadRef: string, rule: ScheduleRule | null): Promise<Schedule | null> {
    const engine = await readEngineIdentity(this.deps.docker);
    if (rule === null) {
      // A workload that is gone from the engine can still have its schedule removed, by id or name.
      const row = this.table
        .list(engine.id)
        .find((r) => r.workloadId === workloadRef || r.workloadName === workloadRef);
      const key = row ?? { engineId: engine.id, workloadId: (await this.deps.workloads.resolve(workloadRef)).id };
      this.table.remove(key);
      this.changed.emit();
      return null;
    }
    const workload = await this.deps.workloads.resolve(workloadRef);
    const key = { engineId: engine.id, workloadId: workload.id };
    this.table.upsert({ ...key, workloadName: workload.name }, rule, this.now());
    this.changed.emit();
    return this.toSchedule(this.table.get(key)!);
  }

  /** The connected engine's schedules (the last one seen while it is down), with their next run. */
  async list(): Promise<Schedule[]> {
    const { engine } = await this.deps.engines.current();
    if (!engine) return [];
    return this.table.list(engine.id).map((row) => this.toSchedule(row));
  }

  /**
   * Captures every due workload of the connected engine, one after another. A workload busy with
   * another job is `waiting` (tried again at the next call); only `failed` runs are failures.
   */
  async runDue(): Promise<ScheduleRun[]> {
    // No schedules: nothing to ask a (perhaps stopped) engine every minute.
    if (!this.table.any()) return [];
    const engine = await readEngineIdentity(this.deps.docker);
    const runs: ScheduleRun[] = [];
    for (const row of this.table.list(engine.id)) {
      if (!isDue(row.rule, this.since(row), this.now())) continue;
      const run = await this.runOne(row);
      if (run) {
        runs.push(run);
        this.runs.emit(run);
        this.changed.emit();
      }
    }
    return runs;
  }

  /** One due schedule: claim its slot with the workload lease, then capture; null if another process took the slot. */
  private async runOne(row: ScheduleRow): Promise<ScheduleRun | null> {
    const now = this.now();
    const slotOf = (fresh: ScheduleRow, newest: number | null) => {
      const next = nextRunAt(fresh.rule, latest(fresh.lastRunAt, newest), now);
      return next <= now ? new Date(next).toISOString() : null;
    };
    let workload: DiscoveredWorkload;
    try {
      workload = await this.deps.workloads.resolve(row.workloadId);
    } catch (error) {
      // Gone from the engine, or the engine went away: this slot fails once, it is not retried each minute.
      if (this.table.claim(row, now, slotOf, () => NO_LEASE).kind !== 'claimed') return null;
      return this.finish(row, { outcome: 'failed', error: toErrorData(error).message });
    }
    const jobId = JobRunner.newId();
    const claim = this.table.claim(row, now, slotOf, () =>
      this.deps.leases.acquire(workload.id, { id: jobId, kind: 'capture' }),
    );
    if (claim.kind === 'not-due') return null;
    if (claim.kind === 'busy') return this.finish(row, { outcome: 'waiting', error: this.busyReason(row) });
    // Another job (a restore, another store's capture) holding a volume: wait for it, with the slot
    // and the workload lease kept, rather than fail a capture that would run a few minutes later.
    const gaveUp = await this.waitForVolumes(row, workload, jobId);
    if (gaveUp !== null) {
      claim.lease.release();
      return this.finish(row, { outcome: 'failed', error: gaveUp });
    }
    try {
      const handle = this.deps.capture.startFor(workload, { trigger: 'schedule' }, { id: jobId, lease: claim.lease });
      const snapshot = await handle.done;
      return this.finish(row, { outcome: 'succeeded', snapshotId: snapshot.id, snapshotName: snapshot.name });
    } catch (error) {
      return this.finish(row, { outcome: 'failed', error: toErrorData(error).message });
    }
  }

  /** Null once the workload's volumes are free; the reason, recorded as the slot's failure, past the bound. */
  private waitForVolumes(row: ScheduleRow, workload: DiscoveredWorkload, jobId: string): Promise<string | null> {
    const deps = {
      docker: this.deps.docker,
      dataDir: this.deps.dataDir,
      helperImage: () => this.deps.settings.get('helperImage'),
      wait: this.deps.lockWait ?? DEFAULT_LOCK_WAIT,
      now: () => this.now(),
    };
    return waitForFreeVolumes(
      deps,
      workload.volumes.map((v) => v.name),
      jobId,
      (reason, giveUpAt) => {
        const until = new Date(giveUpAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        this.table.recordOutcome(row, {
          outcome: 'waiting',
          error: `Waiting: ${reason} The scheduled capture starts when it is free, or gives up at ${until}.`,
        });
        this.changed.emit();
      },
    );
  }

  private finish(
    row: ScheduleRow,
    result: { outcome: ScheduleRun['outcome']; error?: string; snapshotId?: string; snapshotName?: string },
  ): ScheduleRun {
    this.table.recordOutcome(row, { outcome: result.outcome, error: result.error, snapshotId: result.snapshotId });
    return {
      workloadId: row.workloadId,
      workloadName: row.workloadName,
      outcome: result.outcome,
      snapshotId: result.snapshotId ?? null,
      snapshotName: result.snapshotName ?? null,
      error: result.error ?? null,
    };
  }

  private busyReason(row: ScheduleRow): string {
    const holder = this.deps.leases.holder(row.workloadId);
    const what = holder
      ? `a ${holder.kind} of ${row.workloadName} is running (job ${holder.jobId})`
      : `${row.workloadName} is busy`;
    return `Waiting: ${what}; the scheduled capture is tried again in a minute.`;
  }

  /** The last time the workload was taken care of: its last scheduled run or its newest snapshot. */
  private since(key: ScheduleKey & Pick<ScheduleRow, 'lastRunAt'>): number | null {
    return latest(key.lastRunAt, this.table.newestCaptureAt(key));
  }

  private toSchedule(row: ScheduleRow): Schedule {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      engineId: row.engineId,
      workloadId: row.workloadId,
      workloadName: row.workloadName,
      rule: row.rule,
      nextRunAt: new Date(nextRunAt(row.rule, this.since(row), this.now())).toISOString(),
      lastRunAt: iso(row.lastRunAt),
      lastOutcome: row.lastOutcome,
      lastError: row.lastError,
      lastSnapshotId: row.lastSnapshotId,
    };
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}
