import type { Db } from '../../store/db';
import { RestoreJournalTable } from '../../store/restore-journal-table';
import { crashPoint } from './crash';
import type { VolumeSpec } from '../../docker/volumes';

/** A container as the journal remembers it, so recovery can put it back exactly. */
export interface JournalContainer {
  id: string;
  name: string;
  service: string | null;
  dependsOn: string[];
  wasRunning: boolean;
  restartPolicy: { Name: string; MaximumRetryCount: number };
}

/** One volume to restore: which archive goes into which current volume. */
export interface JournalVolume {
  position: number;
  /** The volume name recorded in the snapshot (the archive's root folder). */
  volumeName: string;
  /** The volume the workload mounts today at the same place: the one that gets overwritten. */
  target: string;
  archiveFile: string;
  sizeBytes: number;
  /** Mode, uid and gid of the snapshot's volume root ("."), applied to the target's root. */
  root: { mode: number; uid: number; gid: number };
  /** Set when the target was gone at plan time: the restore creates it (step `create`), roll-back removes it. */
  create?: VolumeSpec | null;
}

/** Everything a restore (and its recovery) needs, written once before anything is touched. */
export interface JournalPlan {
  workloadId: string;
  snapshotId: string;
  helperImage: string;
  volumes: JournalVolume[];
  containers: JournalContainer[];
}

export type JournalOutcome = 'committed' | 'rolled-back' | 'rolled-forward';

export interface OpenJournal {
  jobId: string;
  plan: JournalPlan;
  steps: string[];
}

/**
 * The recovery-swap journal in SQLite. Each step is a committed row written BEFORE the step acts
 * (the catalog runs with synchronous=FULL), so after a crash the rows say how far the restore got:
 * no `swap` row means nothing was swapped and recovery rolls back; a `swap` row means roll forward.
 */
export class RestoreJournal {
  private readonly table: RestoreJournalTable;

  constructor(
    db: Db,
    private readonly onStep: (step: string) => void = crashPoint,
  ) {
    this.table = new RestoreJournalTable(db);
  }

  begin(jobId: string, plan: JournalPlan): void {
    this.table.insert({ jobId, workloadId: plan.workloadId, snapshotId: plan.snapshotId, plan: JSON.stringify(plan) });
    this.step(jobId, 'begin');
  }

  /** Records a step, durably, before the caller performs it. */
  step(jobId: string, step: string, detail: string | null = null): void {
    this.table.addStep(jobId, step, detail);
    this.onStep(step);
  }

  finish(jobId: string, outcome: JournalOutcome): void {
    this.table.finish(jobId, outcome);
  }

  /** Restores that neither committed nor were recovered, oldest first. */
  unfinished(workloadId?: string): OpenJournal[] {
    return this.table.unfinished(workloadId).map((row) => ({
      jobId: row.jobId,
      plan: JSON.parse(row.plan) as JournalPlan,
      steps: this.steps(row.jobId),
    }));
  }

  steps(jobId: string): string[] {
    return this.table.steps(jobId);
  }
}

/**
 * Whether the swap had begun: from then on the only safe direction is forward. A first swap run
 * that refused before any rename (`swap-refused`) moved nothing, so that restore rolls back.
 */
export function swapBegun(steps: string[]): boolean {
  return steps.includes('swap') && !steps.includes('swap-refused');
}
