import { JobRunner, type JobContext, type JobHandle } from '../jobs';
import { RestoreJournal, type JournalPlan, type JournalVolume } from './journal';
import { verifyArchives } from './preflight';
import { finishSwap, rollBack } from './recovery';
import { stageAll } from './stage-all';
import { createMissingVolumes } from './volume-create';
import { ensureHelperImage } from '../../docker/helper';
import { lockVolumes } from '../../docker/volume-lock';
import { inspectVolume } from '../../docker/volumes';
import type { StoredVolume } from '../../store/catalog';
import type { RestoreDeps } from './restore-service';
import { VolsnapError } from '../../../shared/errors';
import type { CloneResult } from '../../../shared/restore-types';
import type { Snapshot } from '../../../shared/types';

/** Marks a volume made by `volsnap clone`: `<snapshot id>/<snapshot volume name>`. */
export const CLONED_FROM_LABEL = 'io.volsnap.cloned-from';

/** Docker's rule for volume names (and so for the lock container named after one). */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface CloneInput {
  snapshot: string;
  /** With `to`: clone this one snapshot volume. */
  volume?: string;
  to?: string;
  /** Instead: every volume of the snapshot, each into `<name><suffix>`. */
  suffix?: string;
}

export type CloneDeps = Pick<
  RestoreDeps,
  'dataDir' | 'docker' | 'db' | 'catalog' | 'storedVolumes' | 'leases' | 'jobs' | 'settings'
>;

/**
 * Puts a snapshot into new volumes on the current engine, touching no existing volume and no
 * container. It runs as a restore's journal does (create, stage, swap, clean up, each journaled),
 * so a crash or failure removes the half-made volumes (roll-back) or finishes them (roll forward).
 */
export class CloneService {
  private readonly journal: RestoreJournal;

  constructor(private readonly deps: CloneDeps) {
    this.journal = new RestoreJournal(deps.db);
  }

  /** Checks names and targets (errors reject at once, nothing made), then clones as a job of kind `clone`. */
  async start(input: CloneInput): Promise<JobHandle<CloneResult>> {
    const snapshot = this.deps.catalog.resolve(input.snapshot);
    if (snapshot.status !== 'ready') {
      throw new VolsnapError(
        'InvalidInput',
        `Snapshot "${snapshot.name}" is ${snapshot.status}; only ready snapshots can be cloned.`,
      );
    }
    const pairs = clonePairs(snapshot, this.deps.catalog.storedVolumes(snapshot.id), input);
    for (const { to } of pairs) {
      if (await inspectVolume(this.deps.docker, to)) {
        throw new VolsnapError(
          'Conflict',
          `Volume ${to} already exists; a clone only makes new volumes. Nothing was changed: choose another name, or remove ${to} first.`,
        );
      }
    }
    const jobId = JobRunner.newId();
    const hold = this.deps.leases.snapshots.hold(snapshot, { id: jobId, kind: 'clone' });
    // The journal's own key: recovery leaves this clone alone while this lease shows it alive.
    const key = `clone:${jobId}`;
    let lease;
    try {
      await verifyArchives(
        this.deps.storedVolumes,
        snapshot,
        pairs.map((p) => p.stored),
      );
      const image = this.deps.settings.get('helperImage');
      await ensureHelperImage(this.deps.docker, image);
      lease = this.deps.leases.acquire(key, { id: jobId, kind: 'clone' });
      const locks = await lockVolumes(
        this.deps.docker,
        pairs.map((p) => p.to),
        { jobId, kind: 'clone', dataDir: this.deps.dataDir, image },
      );
      const plan = this.plan(snapshot, key, image, pairs);
      return this.deps.jobs.start(
        {
          id: jobId,
          kind: 'clone',
          workloadId: snapshot.workloadId,
          snapshotId: snapshot.id,
          // A clone touches no volume or container of the workload: captures and restores go on.
          exclusive: false,
          toResult: (r) => ({ ...r }),
          holds: [hold, lease, locks],
        },
        (ctx) => this.run(ctx, plan, pairs),
      );
    } catch (error) {
      hold.release();
      lease?.release();
      throw error;
    }
  }

  private plan(snapshot: Snapshot, key: string, image: string, pairs: ClonePair[]): JournalPlan {
    const volumes: JournalVolume[] = pairs.map(({ stored, to }) => {
      const root = this.deps.catalog.manifestEntry(snapshot.id, stored.position, '.');
      return {
        position: stored.position,
        volumeName: stored.volumeName,
        target: to,
        archiveFile: stored.archiveFile,
        sizeBytes: stored.sizeBytes,
        root: { mode: root?.mode ?? 0o755, uid: root?.uid ?? 0, gid: root?.gid ?? 0 },
        create: {
          driver: 'local',
          options: {},
          labels: { [CLONED_FROM_LABEL]: `${snapshot.id}/${stored.volumeName}` },
        },
      };
    });
    return { workloadId: key, snapshotId: snapshot.id, helperImage: image, volumes, containers: [] };
  }

  private async run(ctx: JobContext, plan: JournalPlan, pairs: ClonePair[]): Promise<CloneResult> {
    const outcome = { docker: this.deps.docker, journal: this.journal };
    this.journal.begin(ctx.jobId, plan);
    try {
      ctx.progress({ phase: 'preparing' });
      await createMissingVolumes(outcome, ctx.jobId, plan);
      // Staged the way restore stages (same entry checks).
      await stageAll({ ...this.deps, journal: this.journal }, ctx, plan);
    } catch (error) {
      ctx.progress({ phase: 'rolling-back' });
      await rollBack(outcome, ctx.jobId, plan).catch(() => undefined);
      throw error;
    }
    // From here recovery finishes the clone: the staged entries only move to the top of new volumes.
    this.journal.step(ctx.jobId, 'swap');
    await finishSwap(outcome, ctx.jobId, plan, { outcome: 'committed', onPhase: (update) => ctx.progress(update) });
    return { snapshotId: plan.snapshotId, volumes: pairs.map((p) => ({ from: p.stored.volumeName, to: p.to })) };
  }
}

interface ClonePair {
  stored: StoredVolume;
  to: string;
}

/** Which snapshot volume goes into which new volume; `InvalidInput` for anything unclear or invalid. */
export function clonePairs(snapshot: Snapshot, stored: StoredVolume[], input: CloneInput): ClonePair[] {
  const byVolume = input.volume !== undefined || input.to !== undefined;
  if (byVolume === (input.suffix !== undefined) || (byVolume && (!input.volume || !input.to))) {
    throw new VolsnapError(
      'InvalidInput',
      'Clone needs either --volume <snapshot volume> --to <new volume>, or --suffix <suffix> for every volume.',
    );
  }
  let pairs: ClonePair[];
  if (input.suffix !== undefined) {
    pairs = stored.map((v) => ({ stored: v, to: `${v.volumeName}${input.suffix}` }));
  } else {
    const one = stored.find((v) => v.volumeName === input.volume);
    if (!one) {
      throw new VolsnapError(
        'InvalidInput',
        `Snapshot "${snapshot.name}" has no volume ${input.volume}; nothing was changed. Its volumes: ${stored.map((v) => v.volumeName).join(', ')}.`,
      );
    }
    pairs = [{ stored: one, to: input.to! }];
  }
  for (const { to } of pairs) {
    if (!VOLUME_NAME.test(to) || to.length > 200) {
      throw new VolsnapError(
        'InvalidInput',
        `"${to}" is not a valid volume name: use at least 2 characters, letters, digits, and _ . - (not first). Nothing was changed.`,
      );
    }
  }
  const names = pairs.map((p) => p.to);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new VolsnapError('InvalidInput', `Two volumes would be cloned into ${twice}; nothing was changed.`);
  return pairs;
}
