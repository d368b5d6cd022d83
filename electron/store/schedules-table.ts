import type { Db } from './db';
import type { Lease } from './lease-liveness';
import { VolsnapError } from '../../shared/errors';
import type { ScheduleOutcome, ScheduleRule } from '../../shared/schedule-types';

/** A schedule as stored; times in ms since the epoch. */
export interface ScheduleRow {
  engineId: string;
  workloadId: string;
  workloadName: string;
  rule: ScheduleRule;
  createdAt: number;
  /** The slot (ISO time of the run it stood for) last claimed. */
  lastSlot: string | null;
  lastRunAt: number | null;
  lastOutcome: ScheduleOutcome | null;
  lastError: string | null;
  lastSnapshotId: string | null;
}

export interface ScheduleKey {
  engineId: string;
  workloadId: string;
}

/** What a claim found: the slot is ours (with the workload lease), already taken, or the workload busy. */
export type Claim =
  { kind: 'claimed'; slot: string; lease: Lease } | { kind: 'not-due' } | { kind: 'busy'; message: string };

interface Row {
  engine_id: string;
  workload_id: string;
  workload_name: string;
  every_seconds: number | null;
  daily_at: string | null;
  created_at: number;
  last_slot: string | null;
  last_run_at: number | null;
  last_outcome: ScheduleOutcome | null;
  last_error: string | null;
  last_snapshot_id: string | null;
}

/** The `schedules` table: all of schedules' SQL. */
export class SchedulesTable {
  constructor(private readonly db: Db) {}

  /** Creates or changes a schedule; its run history stays. */
  upsert(key: ScheduleKey & { workloadName: string }, rule: ScheduleRule, now: number): void {
    this.db
      .prepare(
        `INSERT INTO schedules (engine_id, workload_id, workload_name, every_seconds, daily_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (engine_id, workload_id) DO UPDATE SET workload_name = excluded.workload_name,
           every_seconds = excluded.every_seconds, daily_at = excluded.daily_at`,
      )
      .run(
        key.engineId,
        key.workloadId,
        key.workloadName,
        rule.kind === 'every' ? rule.seconds : null,
        rule.kind === 'daily' ? rule.at : null,
        now,
      );
  }

  remove(key: ScheduleKey): boolean {
    return (
      this.db.prepare(`DELETE FROM schedules WHERE engine_id = ? AND workload_id = ?`).run(key.engineId, key.workloadId)
        .changes > 0
    );
  }

  /** Whether any engine has a schedule: without one the scheduler need not ask the engine anything. */
  any(): boolean {
    return this.db.prepare(`SELECT 1 FROM schedules LIMIT 1`).get() !== undefined;
  }

  /** One engine's schedules, by workload name. */
  list(engineId: string): ScheduleRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM schedules WHERE engine_id = ? ORDER BY workload_name, workload_id`)
      .all(engineId) as Row[];
    return rows.map(toRow);
  }

  get(key: ScheduleKey): ScheduleRow | undefined {
    const row = this.db
      .prepare(`SELECT * FROM schedules WHERE engine_id = ? AND workload_id = ?`)
      .get(key.engineId, key.workloadId) as Row | undefined;
    return row && toRow(row);
  }

  /** When the workload's newest ready snapshot on this engine (or from before engines were recorded) was taken. */
  newestCaptureAt(key: ScheduleKey): number | null {
    const row = this.db
      .prepare(
        `SELECT MAX(created_at) AS at FROM snapshots
         WHERE workload_id = ? AND status = 'ready' AND (engine_id = ? OR engine_id IS NULL)`,
      )
      .get(key.workloadId, key.engineId) as { at: string | null };
    return row.at === null ? null : Date.parse(row.at);
  }

  /**
   * Claims the schedule's current slot, in one IMMEDIATE transaction: re-reads the row and the
   * newest snapshot, asks `slotOf` whether a slot is due (null: not due, another process took it),
   * takes the workload lease (`takeLease`, a nested savepoint; `Conflict` means the workload is
   * busy), then records the slot as run. Two processes cannot both pass: the second one waits for
   * the first one's commit and then sees the slot recorded.
   */
  claim(
    key: ScheduleKey,
    now: number,
    slotOf: (row: ScheduleRow, newestCaptureAt: number | null) => string | null,
    takeLease: () => Lease,
  ): Claim {
    let lease: Lease | undefined;
    try {
      return this.db
        .transaction((): Claim => {
          const row = this.get(key);
          const slot = row ? slotOf(row, this.newestCaptureAt(key)) : null;
          if (slot === null) return { kind: 'not-due' };
          lease = takeLease();
          this.db
            .prepare(
              `UPDATE schedules SET last_slot = ?, last_run_at = ?, last_outcome = 'running', last_error = NULL
               WHERE engine_id = ? AND workload_id = ?`,
            )
            .run(slot, now, key.engineId, key.workloadId);
          return { kind: 'claimed', slot, lease };
        })
        .immediate();
    } catch (error) {
      // The lease row went with the rolled-back transaction; stop its heartbeat too.
      lease?.release();
      if (error instanceof VolsnapError && error.kind === 'Conflict') return { kind: 'busy', message: error.message };
      throw error;
    }
  }

  /** Records how a claimed run ended (or, with `runAt`, a failure before any capture could start). */
  recordOutcome(
    key: ScheduleKey,
    outcome: { outcome: ScheduleOutcome; error?: string | null; snapshotId?: string | null; runAt?: number },
  ): void {
    this.db
      .prepare(
        `UPDATE schedules SET last_outcome = ?, last_error = ?, last_snapshot_id = COALESCE(?, last_snapshot_id),
           last_run_at = COALESCE(?, last_run_at)
         WHERE engine_id = ? AND workload_id = ?`,
      )
      .run(
        outcome.outcome,
        outcome.error ?? null,
        outcome.snapshotId ?? null,
        outcome.runAt ?? null,
        key.engineId,
        key.workloadId,
      );
  }
}

function toRow(row: Row): ScheduleRow {
  return {
    engineId: row.engine_id,
    workloadId: row.workload_id,
    workloadName: row.workload_name,
    rule:
      row.daily_at !== null
        ? { kind: 'daily', at: row.daily_at }
        : { kind: 'every', seconds: row.every_seconds ?? 3600 },
    createdAt: row.created_at,
    lastSlot: row.last_slot,
    lastRunAt: row.last_run_at,
    lastOutcome: row.last_outcome,
    lastError: row.last_error,
    lastSnapshotId: row.last_snapshot_id,
  };
}
