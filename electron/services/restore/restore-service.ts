import type { EngineClient as Docker } from '../../docker/engine';
import type { CaptureService } from '../capture-service';
import { JobRunner, type JobContext, type JobHandle, type JobHold } from '../jobs';
import { applyRestartPolicies, describeContainers, stopContainers } from './containers';
import { RestoreJournal, type JournalPlan, type JournalVolume } from './journal';
import { checkFreeSpace, prepare, verifyArchives, type Prepared } from './preflight';
import { finishSwap, recoverAll, rollBack, type OnPhase, type RecoverReport } from './recovery';
import { checkArchive } from './stage';
import { stageAll } from './stage-all';
import { SwapRefused } from './swap';
import { safetyWorkload } from './targets';
import { assertTargetsUnchanged, createMissingVolumes } from './volume-create';
import { ensureHelperImage } from '../../docker/helper';
import { lockVolumes } from '../../docker/volume-lock';
import type { DiscoveredWorkload } from '../../docker/workloads';
import type { Catalog } from '../../store/catalog';
import type { Db } from '../../store/db';
import type { JobsTable } from '../../store/jobs-table';
import type { Leases } from '../../store/leases';
import type { SettingsStore } from '../../store/settings-store';
import type { StoredVolumeReader } from '../stored-volumes/stored-volume-reader';
import { VolsnapError } from '../../../shared/errors';
import type { RestorePlan, RestoreResult } from '../../../shared/restore-types';
import type { Snapshot } from '../../../shared/types';

export interface RestoreDeps {
  dataDir: string;
  docker: Docker;
  db: Db;
  catalog: Catalog;
  /** The one reader of stored data (its integrity check runs in the preflight). */
  storedVolumes: StoredVolumeReader;
  leases: Leases;
  jobs: JobRunner;
  jobsTable: JobsTable;
  capture: CaptureService;
  settings: SettingsStore;
}

export interface RestoreInput {
  snapshot: string;
  /** Must equal the snapshot's name exactly. */
  confirm: string;
  safetySnapshot?: boolean;
  /** When given (the UI restores from a workload's page), the snapshot must belong to it. */
  workload?: string;
  /** Snapshot volume names to restore (all when absent): only the containers mounting them are stopped. */
  volumes?: string[];
}

/** Restores a snapshot into its workload's current volumes under the recovery-swap journal. */
export class RestoreService {
  private readonly journal: RestoreJournal;

  constructor(private readonly deps: RestoreDeps) {
    this.journal = new RestoreJournal(deps.db);
  }

  /** What a restore would do and why it cannot run (blockers); throws only for an unknown snapshot. */
  async preview(ref: string, volumes?: string[]): Promise<RestorePlan> {
    return (await prepare({ ...this.deps, journal: this.journal }, this.deps.catalog.resolve(ref), volumes)).plan;
  }

  /** Runs the preflight (its errors reject at once), then the restore as a job of kind `restore`. */
  async start(input: RestoreInput): Promise<JobHandle<RestoreResult>> {
    const snapshot = this.deps.catalog.resolve(input.snapshot);
    if (input.confirm !== snapshot.name) {
      throw new VolsnapError(
        'ConfirmationMismatch',
        `To restore, confirm with the snapshot's exact name "${snapshot.name}".`,
      );
    }
    if (
      input.workload !== undefined &&
      input.workload !== snapshot.workloadId &&
      input.workload !== snapshot.workloadName
    ) {
      throw new VolsnapError(
        'InvalidInput',
        `Snapshot "${snapshot.name}" belongs to ${snapshot.workloadId}, not ${input.workload}; a snapshot restores only into its own workload.`,
      );
    }
    const jobId = JobRunner.newId();
    // Held from here to the job's end (the job owns it once started): retention and delete of any
    // process leave the snapshot alone, so its archives cannot vanish after the workload stopped.
    const hold = this.deps.leases.snapshots.hold(snapshot, { id: jobId, kind: 'restore' });
    return this.startHolding(input, snapshot, { jobId, hold }).catch((error: unknown) => {
      hold.release();
      throw error;
    });
  }

  private async startHolding(
    input: RestoreInput,
    snapshot: Snapshot,
    held: { jobId: string; hold: JobHold },
  ): Promise<JobHandle<RestoreResult>> {
    // Hashing the archives is most of the preflight: it runs while the engine is queried. It only
    // reads, and nothing is touched before both are done; blockers are reported before Integrity.
    const verified = verifyArchives(this.deps.storedVolumes, snapshot, this.deps.catalog.storedVolumes(snapshot.id));
    verified.catch(() => undefined);
    const prepared = await prepare({ ...this.deps, journal: this.journal }, snapshot, input.volumes);
    const first = prepared.blockers[0];
    if (first) {
      const same = prepared.blockers.filter((b) => b.kind === first.kind);
      throw new VolsnapError(first.kind, same.map((b) => b.message).join(' '));
    }
    const safety = input.safetySnapshot ?? true;
    // Null when every container is gone: the restore then touches only the volumes.
    const workload = prepared.workload;
    // Read-only checks, concurrently: hashing the archives takes most of the preflight.
    const [plan] = await Promise.all([
      this.journalPlan(prepared),
      verified,
      safety ? checkFreeSpace(this.deps, prepared.targets, snapshot.storedBytes) : undefined,
      // With a safety snapshot, staging comes after the stop: check every entry first, so a forged
      // archive costs no downtime (without one, staging itself runs before the stop). After the
      // checksums, so a damaged archive is reported as such.
      safety ? verified.then(() => this.checkArchives(prepared)) : undefined,
    ]);
    // Engine-wide, across every store: no other restore or capture touches these volumes meanwhile.
    await ensureHelperImage(this.deps.docker, plan.helperImage);
    const locks = await lockVolumes(
      this.deps.docker,
      plan.volumes.map((v) => v.target),
      { jobId: held.jobId, kind: 'restore', dataDir: this.deps.dataDir, image: plan.helperImage },
    );
    return this.deps.jobs.start(
      {
        id: held.jobId,
        kind: 'restore',
        workloadId: snapshot.workloadId,
        snapshotId: snapshot.id,
        toResult: (r) => ({ ...r }),
        holds: [held.hold, locks],
      },
      (ctx) => this.run(ctx, { plan, safetyOf: safetyWorkload(snapshot, workload, prepared.targets), safety }),
    );
  }

  /** Finishes or undoes every restore a crashed process left unfinished. */
  async recover(onPhase?: OnPhase): Promise<RecoverReport> {
    return recoverAll({ ...this.deps, journal: this.journal }, onPhase);
  }

  /** A full entry pass over every volume's stored tar, sending nothing (see checkArchive). */
  private async checkArchives(prepared: Prepared): Promise<void> {
    const { snapshot } = prepared;
    for (const { stored, target } of prepared.targets) {
      await checkArchive({
        source: { dataDir: this.deps.dataDir, snapshotId: snapshot.id, volume: stored },
        volume: { volumeName: stored.volumeName, target },
        manifest: this.deps.catalog.manifest(snapshot.id, stored.position),
        specialFiles: snapshot.specialFiles,
      });
    }
  }

  private async journalPlan(prepared: Prepared): Promise<JournalPlan> {
    const volumes: JournalVolume[] = prepared.targets.map(({ stored, target, create }) => {
      const root = this.deps.catalog.manifestEntry(prepared.snapshot.id, stored.position, '.');
      return {
        position: stored.position,
        volumeName: stored.volumeName,
        target,
        archiveFile: stored.archiveFile,
        sizeBytes: stored.sizeBytes,
        root: { mode: root?.mode ?? 0o755, uid: root?.uid ?? 0, gid: root?.gid ?? 0 },
        create: create && { driver: create.driver, options: create.options, labels: create.labels },
      };
    });
    return {
      workloadId: prepared.snapshot.workloadId,
      snapshotId: prepared.snapshot.id,
      helperImage: this.deps.settings.get('helperImage'),
      volumes,
      containers: await describeContainers(this.deps.docker, prepared.workload?.containers ?? []),
    };
  }

  private async run(ctx: JobContext, job: RunJob): Promise<RestoreResult> {
    const { docker } = this.deps;
    const { plan } = job;
    const outcomeDeps = { docker, journal: this.journal };
    this.journal.begin(ctx.jobId, plan);
    let prepared: { safetySnapshotId: string | null; stoppedAt: number };
    try {
      prepared = await this.prepareVolumes(ctx, job);
    } catch (error) {
      ctx.progress({ phase: 'rolling-back' });
      await rollBack(outcomeDeps, ctx.jobId, plan).catch((cause: unknown) => {
        throw rollBackFailed(error, cause);
      });
      throw error;
    }
    // Point of no return: from this row on, recovery rolls forward.
    this.journal.step(ctx.jobId, 'swap');
    try {
      const done = await finishSwap(outcomeDeps, ctx.jobId, plan, {
        outcome: 'committed',
        onPhase: (update) => ctx.progress(update),
      });
      const anyRunning = plan.containers.some((c) => c.wasRunning);
      return {
        snapshotId: plan.snapshotId,
        safetySnapshotId: prepared.safetySnapshotId,
        // Stop to last start: the swap, deleting the old contents and the starts are all in it.
        downtimeMs: anyRunning ? done.startedAt - prepared.stoppedAt : 0,
        swapWindowMs: done.swapWindowMs,
        deleteMs: done.deleteMs,
        containersGone: done.containers.gone,
      };
    } catch (error) {
      if (error instanceof SwapRefused) return this.undoRefusedSwap(ctx, plan, error);
      throw new VolsnapError(
        'Internal',
        `The restore stopped after its swap began (${(error as Error).message}). Volsnap finishes it at its next start; run \`volsnap recover\` to finish it now.`,
      );
    }
  }

  /**
   * The swap's first run refused before any rename (a volume held another job's folder, or a
   * link where this job's stage should be): nothing was moved, so the restore rolls back. The
   * `swap-refused` row tells recovery the same, should this process die meanwhile.
   */
  private async undoRefusedSwap(ctx: JobContext, plan: JournalPlan, refused: SwapRefused): Promise<never> {
    this.journal.step(ctx.jobId, 'swap-refused');
    ctx.progress({ phase: 'rolling-back' });
    await rollBack({ docker: this.deps.docker, journal: this.journal }, ctx.jobId, plan).catch((cause: unknown) => {
      throw rollBackFailed(refused, cause);
    });
    throw new VolsnapError(
      refused.kind,
      `${refused.problem} The restore refused to swap and was rolled back: every volume keeps its contents and the containers run again. Remove what does not belong there (or finish that other restore), then restore again.`,
    );
  }

  /**
   * Everything before the swap, each step journaled first. With a safety snapshot: stop, snapshot
   * the stopped volumes, stage. Without one, staging comes first, while the workload still runs
   * (the stage dir is apart from its files): the downtime is then only stop, swap and start.
   */
  private async prepareVolumes(
    ctx: JobContext,
    job: RunJob,
  ): Promise<{ safetySnapshotId: string | null; stoppedAt: number }> {
    const { docker, settings } = this.deps;
    const { plan } = job;
    ctx.progress({ phase: 'preparing' });
    await ensureHelperImage(docker, settings.get('helperImage'), (message) =>
      ctx.progress({ phase: 'preparing', detail: message }),
    );
    // Volumes that are gone are made again first (journaled): staging needs them.
    await createMissingVolumes({ docker, journal: this.journal }, ctx.jobId, plan);
    if (!job.safety) await stageAll({ ...this.deps, journal: this.journal }, ctx, plan);
    ctx.checkCancelled();
    this.journal.step(ctx.jobId, 'policies');
    await applyRestartPolicies(docker, plan.containers, 'none');
    this.journal.step(ctx.jobId, 'stop');
    ctx.progress({ phase: 'stopping' });
    const stoppedAt = Date.now();
    await stopContainers(docker, plan.containers);
    if (!job.safety) {
      await assertTargetsUnchanged(docker, ctx.jobId, plan);
      return { safetySnapshotId: null, stoppedAt };
    }
    ctx.checkCancelled();
    this.journal.step(ctx.jobId, 'safety');
    const safetyCtx: JobContext = {
      ...ctx,
      progress: (u) => ctx.progress({ ...u, within: 'safety snapshot' }),
    };
    // Only the targets that exist have contents to keep; with none, there is no safety snapshot.
    const safety = job.safetyOf
      ? await this.deps.capture.captureWithin(safetyCtx, job.safetyOf, { trigger: 'pre-restore', mode: 'live' })
      : null;
    await stageAll({ ...this.deps, journal: this.journal }, ctx, plan);
    // A target removed or made again meanwhile does not hold this job's stage: roll back, never guess.
    await assertTargetsUnchanged(docker, ctx.jobId, plan);
    return { safetySnapshotId: safety?.id ?? null, stoppedAt };
  }
}

/** What a restore job runs with: its journaled plan and what the safety snapshot captures. */
interface RunJob {
  plan: JournalPlan;
  /** The existing targets under the snapshot's workload; null when none exists (nothing to keep). */
  safetyOf: DiscoveredWorkload | null;
  safety: boolean;
}

/** The first failure, told together with the failed roll-back; an Engine that went away stays `EngineUnavailable`. */
function rollBackFailed(error: unknown, cause: unknown): VolsnapError {
  const first = error instanceof Error ? error.message : String(error);
  const engineDown = error instanceof VolsnapError && error.kind === 'EngineUnavailable';
  const why = engineDown ? 'it needs the Engine too' : `it failed too: ${(cause as Error).message}`;
  return new VolsnapError(
    engineDown ? 'EngineUnavailable' : 'Internal',
    `${first} The restore could not be rolled back yet (${why}); nothing was swapped. Volsnap finishes the roll-back at its next start, or run \`volsnap recover\`.`,
  );
}
