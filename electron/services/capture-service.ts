import type { EngineClient as Docker } from '../docker/engine';
import { setImmediate } from 'node:timers/promises';
import { crashPoint } from './restore/crash';
import { checkVolatileCapture } from './volatile-volumes';
import { withQuiesced, type QuiesceWindow } from './quiesce';
import { pickVolumes, type CapturePlan, type PlannedVolume } from './capture-plan';
import { validateName } from '../../shared/snapshot-name';
import { JobRunner, type JobContext, type JobHandle, type JobHold } from './jobs';
import type { RetentionService } from './retention-service';
import type { WorkloadService } from './workload-service';
import { createHelper, ensureHelperImage, removeHelper } from '../docker/helper';
import { lockVolumes } from '../docker/volume-lock';
import { listingCommand, listVolumes, type VolumeListing } from '../docker/volume-listing';
import { estimatedTarBytes, PendingListing, VolumeCapture, type CapturedVolume } from './volume-capture';
import { volumeUsage } from '../docker/volume-usage';
import { ProgressTotal } from './progress-total';
import type { DiscoveredWorkload } from '../docker/workloads';
import { engineCall, engineEndpoint, engineVersion } from '../docker/engine';
import { readEngineIdentity } from '../docker/engine-identity';
import { recordVolumeSpecs } from './volume-spec-record';
import type { EngineIdentity, EngineRegistry } from '../store/engine-registry';
import type { ArchiveFiles } from '../store/archive-files';
import type { Catalog, StoreFormat } from '../store/catalog';
import type { StoreLock } from '../store/store-lock';
import type { Db } from '../store/db';
import type { QuiescedTable } from '../store/quiesced-table';
import type { SettingsStore } from '../store/settings-store';
import { VolsnapError } from '../../shared/errors';
import type { CaptureMode, Provenance, Snapshot, Trigger } from '../../shared/types';

export interface CaptureRequest {
  /** Workload id or name. */
  workload: string;
  name?: string;
  note?: string;
  mode?: CaptureMode;
  /** Volume names to capture; all of the workload's volumes when absent or empty. */
  volumes?: string[];
  trigger?: Trigger;
}

const PRE_RESTORE_TTL_MS = 7 * 24 * 3600 * 1000;
/** Manifest rows per transaction: each batch blocks the event loop for only a few milliseconds. */
const MANIFEST_BATCH = 2000;

export interface CaptureDeps {
  /** Named in the volume locks, so another store's refusal says whose capture it is. */
  dataDir: string;
  docker: Docker;
  db: Db;
  catalog: Catalog;
  files: ArchiveFiles;
  jobs: JobRunner;
  workloads: WorkloadService;
  settings: SettingsStore;
  retention: RetentionService;
  /** Stamps each snapshot with the engine it was captured on. */
  registry: EngineRegistry;
  /** Notes the containers a capture paused or stopped, so a crash's sweep resumes them. */
  quiesced: QuiescedTable;
  /** Keeps this capture and garbage collection apart (the capture holds its workload lease already). */
  storeLock: StoreLock;
  /** Overrides STORE_FORMAT (tests that need format 1 archives). */
  storeFormat?: StoreFormat;
}

/**
 * The format new captures are stored in: 2, deduplicated chunks (issue 18). Format 1 archives stay
 * readable; imports and pulls still write format 1.
 */
export const STORE_FORMAT: StoreFormat = 2;

interface EngineFacts {
  engine: EngineIdentity;
  provenance: Provenance;
}

/** Captures a workload's volumes into the store as one snapshot. */
export class CaptureService {
  constructor(private readonly deps: CaptureDeps) {}

  /** Validates the request, then starts the capture job; preflight errors reject at once. */
  async start(request: CaptureRequest): Promise<JobHandle<Snapshot>> {
    const workload = await this.deps.workloads.resolve(request.workload);
    return this.startFor(workload, request);
  }

  /**
   * Starts a capture of an already-resolved workload as its own job. `leased`: the caller already
   * holds the workload's lease for job `id` (a schedule claims it with its slot, schedules-table.ts);
   * the job owns it from here on.
   */
  startFor(
    workload: DiscoveredWorkload,
    request: Omit<CaptureRequest, 'workload'>,
    leased?: { id: string; lease: JobHold },
  ): JobHandle<Snapshot> {
    let plan;
    try {
      plan = this.plan(workload, request);
    } catch (error) {
      void leased?.lease.release();
      throw error;
    }
    return this.deps.jobs.start(
      {
        kind: 'capture',
        workloadId: workload.id,
        snapshotId: plan.snapshotId,
        toResult: (s) => ({ snapshotId: s.id }),
        ...(leased && { id: leased.id, exclusive: false, holds: [leased.lease] }),
      },
      (ctx) => this.run(ctx, plan, { lock: true }),
    );
  }

  /** Captures inside a job that already holds the workload's lease and volume locks (restore's safety snapshot). */
  async captureWithin(
    ctx: JobContext,
    workload: DiscoveredWorkload,
    request: Omit<CaptureRequest, 'workload'>,
  ): Promise<Snapshot> {
    return this.run(ctx, this.plan(workload, request), { lock: false });
  }

  private plan(workload: DiscoveredWorkload, request: Omit<CaptureRequest, 'workload'>): CapturePlan {
    return {
      workload,
      volumes: pickVolumes(workload, request.volumes ?? []),
      name: this.chooseName(workload, request.name),
      mode: request.mode ?? this.deps.settings.get('defaultMode'),
      snapshotId: JobRunner.newId(),
      note: request.note ?? '',
      trigger: request.trigger ?? 'manual',
    };
  }

  private async run(ctx: JobContext, plan: CapturePlan, options: { lock: boolean }): Promise<Snapshot> {
    const { docker, settings } = this.deps;
    ctx.progress({ phase: 'preparing' });
    // Asked now, awaited when the row is written: the Engine runs runc to answer /info and /version
    // (30-40 ms here), which then no longer stands between the job's start and the stream.
    const facts = this.engineFacts(plan);
    facts.catch(() => undefined); // a failure before the row is not the facts' to report
    const helperImage = settings.get('helperImage');
    await ensureHelperImage(docker, helperImage, (message) => ctx.progress({ phase: 'preparing', detail: message }));
    // A tmpfs volume: refuse `stop` (it would empty it), warn otherwise. See volatile-volumes.ts.
    await checkVolatileCapture(docker, plan, ctx);
    // Garbage collection must not delete a chunk this capture is about to reuse (store-lock.ts).
    await this.deps.storeLock.waitForMaintenance(ctx.signal);
    // Engine-wide: a restore of any store on this engine (or another capture) keeps us out, before any row exists.
    const locks = options.lock
      ? await lockVolumes(
          docker,
          plan.volumes.map((v) => v.volumeName),
          { jobId: ctx.jobId, kind: 'capture', dataDir: this.deps.dataDir, image: helperImage },
        )
      : null;
    const unlock = async () => locks?.release().catch(() => undefined);
    // The helper's and the locks' removals (Engine round trips) go on while the manifests are written.
    const removals: Promise<unknown>[] = [];
    try {
      // The volumes are unlocked as soon as they are read: manifests and retention need no lock.
      return await this.captureRow(ctx, plan, facts, (engine) =>
        this.captureVolumes(ctx, plan, engine, removals).finally(() => removals.push(unlock())),
      );
    } finally {
      await Promise.all([...removals, unlock()]);
    }
  }

  /** The snapshot's row and files around the capture: `ready`, `failed` with its reason, or gone if cancelled. */
  private async captureRow(
    ctx: JobContext,
    plan: CapturePlan,
    facts: Promise<EngineFacts>,
    capture: (engine: EngineIdentity) => Promise<CapturedVolume[]>,
  ): Promise<Snapshot> {
    const { catalog, files } = this.deps;
    const { workload, snapshotId } = plan;
    const createdAt = new Date();
    const { engine, provenance } = await facts;
    catalog.insertCapturing({
      id: snapshotId,
      name: plan.name,
      note: plan.note,
      workloadId: workload.id,
      workloadName: workload.name,
      createdAt: createdAt.toISOString(),
      trigger: plan.trigger,
      mode: plan.mode,
      expiresAt:
        plan.trigger === 'pre-restore' ? new Date(createdAt.getTime() + PRE_RESTORE_TTL_MS).toISOString() : null,
      provenance,
    });
    this.deps.registry.stamp(snapshotId, workload.id, engine);
    try {
      await recordVolumeSpecs(
        this.deps.docker,
        this.deps.db,
        snapshotId,
        plan.volumes.map((v) => v.volumeName),
      );
      await files.makeDir(snapshotId);
      const stored = await capture(engine);
      // After the capture window (the workload runs again): manifests in batches, yielding between
      // them so the app stays responsive, and each volume's chunk list (one row), then `ready`.
      for (const { volume, entries, chunks, sameEntriesAs } of stored) {
        const copied =
          sameEntriesAs !== undefined &&
          catalog.copyManifest(snapshotId, volume.position, sameEntriesAs, entries.length);
        for (let i = 0; !copied && i < entries.length; i += MANIFEST_BATCH) {
          catalog.insertManifest(snapshotId, volume.position, entries.slice(i, i + MANIFEST_BATCH));
          await setImmediate();
        }
        catalog.insertChunkRefs(snapshotId, chunks);
        await setImmediate();
      }
      crashPoint('capture-chunks-referenced');
      // A cancel while the manifests were written still keeps nothing.
      ctx.checkCancelled();
      catalog.markReady(
        snapshotId,
        stored.map((s) => s.volume),
      );
      crashPoint('capture-ready');
    } catch (error) {
      await files.removeDir(snapshotId).catch(() => undefined);
      // Cancelled: nothing is kept, not even the name. A real failure stays listed with its reason.
      if (ctx.signal.aborted) catalog.remove(snapshotId);
      else catalog.markFailed(snapshotId, failureReason(error));
      throw explain(error, files.root);
    }
    await this.deps.retention.prune(workload.id).catch(() => undefined);
    return catalog.get(snapshotId)!;
  }

  /**
   * Lists the volumes, quiesces, streams every volume that changed since the last snapshot, and
   * always resumes the workload and removes the helper (the removal is added to `removals`, for the
   * caller to wait for).
   */
  private async captureVolumes(
    ctx: JobContext,
    plan: CapturePlan,
    engine: EngineIdentity,
    removals: Promise<unknown>[],
  ): Promise<CapturedVolume[]> {
    const { docker, settings } = this.deps;
    const names = plan.volumes.map((v) => v.volumeName);
    const helper = await createHelper(docker, {
      image: settings.get('helperImage'),
      volumes: names,
      readOnly: true,
      jobId: ctx.jobId,
      ...listingCommand(names),
    });
    // Listed before anything is read, in every mode: what changes after its listing is read (or
    // listed differently next time). Before the window, so a paused workload waits no longer.
    ctx.progress({ phase: 'preparing', detail: 'listing the volumes' });
    const listed = new PendingListing(listVolumes(helper, names, ctx.signal));
    // The progress total: the listed sizes; else the Engine's (it walks every volume it has);
    // else the last snapshot's.
    const total = new ProgressTotal(
      listed.answer.then((listings) => listedTarBytes(listings, names) ?? volumeUsage(docker, names)),
      () => this.estimateTarBytes(plan),
    );
    const results: CapturedVolume[] = [];
    const { dataDir, db, catalog, files } = this.deps;
    const volumes = new VolumeCapture({ dataDir, db, catalog, files, format: this.deps.storeFormat ?? STORE_FORMAT });
    const window: QuiesceWindow = {
      docker,
      table: this.deps.quiesced,
      jobId: ctx.jobId,
      containers: plan.workload.containers,
      mode: plan.mode,
      what: 'capture',
      onResume: () => ctx.progress({ phase: 'resuming' }),
    };
    try {
      // Live, the stream starts once the volumes are listed and only its progress waits for the
      // total. Paused or stopped, the workload is stopped only after both.
      if (plan.mode !== 'live') await total.known;
      ctx.progress({
        phase: plan.mode === 'live' ? 'capturing' : plan.mode === 'pause' ? 'pausing' : 'stopping',
      });
      await withQuiesced(window, async () => {
        const done = { bytes: 0 };
        for (const [position, volume] of plan.volumes.entries()) {
          ctx.checkCancelled();
          results.push(await volumes.capture(ctx, plan, { helper, volume, position, engine, listed, total, done }));
        }
        // A live capture shorter than the total's answer (the Engine's, when the listing gave none,
        // bounded by its deadline): its last progress still comes with the figure, before any later phase.
        await total.known;
      });
    } finally {
      total.close();
      removals.push(removeHelper(helper).catch(() => undefined));
    }
    return results;
  }

  /** Who the engine is and what the snapshot records of its making (two Engine round trips, asked together). */
  private async engineFacts(plan: CapturePlan): Promise<EngineFacts> {
    const [engine, provenance] = await Promise.all([
      readEngineIdentity(this.deps.docker),
      this.provenance(plan.workload, plan.volumes),
    ]);
    return { engine, provenance };
  }

  /** Expected tar bytes, from the workload's last ready snapshot of the same volumes; null if unknown. */
  private estimateTarBytes(plan: CapturePlan): number | null {
    const last = this.deps.catalog.list(plan.workload.id).find((s) => s.status === 'ready');
    if (!last) return null;
    let total = 0;
    for (const volume of plan.volumes) {
      const previous = last.volumes.find((v) => v.volumeName === volume.volumeName);
      if (!previous) return null;
      total += estimatedTarBytes(previous);
    }
    return total;
  }

  private chooseName(workload: DiscoveredWorkload, requested: string | undefined): string {
    const { catalog } = this.deps;
    if (requested !== undefined) {
      const name = validateName(requested);
      if (catalog.nameTaken(name))
        throw new VolsnapError('Conflict', `A snapshot named "${name}" already exists; choose another name.`);
      return name;
    }
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const base = `${workload.name}-${stamp}`;
    let name = base;
    for (let n = 2; catalog.nameTaken(name); n++) name = `${base}-${n}`;
    return name;
  }

  private async provenance(workload: DiscoveredWorkload, volumes: PlannedVolume[]): Promise<Provenance> {
    const version = await engineCall('read the engine version', () => engineVersion(this.deps.docker));
    return {
      engineVersion: version ?? 'unknown',
      engineHost: engineEndpoint(),
      containers: workload.containers.map((c) => ({
        name: c.name,
        service: c.service,
        image: c.image,
        imageId: c.imageId,
        imageDigest: c.imageDigest,
        state: c.state,
      })),
      mounts: volumes.map((v) => ({
        volumeName: v.volumeName,
        containerName: v.containerName,
        destination: v.mountDestination,
      })),
    };
  }
}

/** The volumes' tar bytes by their listing (each entry a header and half a block of padding); null unless all were listed with sizes. */
function listedTarBytes(listings: Map<string, VolumeListing>, names: string[]): number | null {
  let total = 0;
  for (const name of names) {
    const size = listings.get(name)?.size;
    if (!size) return null;
    total += estimatedTarBytes({ sizeBytes: size.fileBytes, fileCount: size.entries });
  }
  return total;
}

function failureReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function explain(error: unknown, root: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC')
    return new VolsnapError(
      'Internal',
      `The disk holding ${root} is full; the partial archive was removed. Free some space (or prune snapshots) and capture again.`,
    );
  if (code === 'ABORT_ERR') return new VolsnapError('Cancelled', 'The capture was cancelled; nothing was kept.');
  return error;
}
