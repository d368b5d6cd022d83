import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ManifestTap } from './manifest-tap';
import { validateName } from '../../shared/snapshot-name';
import { JobRunner } from './jobs';
import { storedVolumeReader, type StoredVolumeReader } from './stored-volumes/stored-volume-reader';
import type { ArchiveFiles } from '../store/archive-files';
import type { Catalog, StoredVolume } from '../store/catalog';
import type { Leases } from '../store/leases';
import { Emitter } from '../../shared/emitter';
import { VolsnapError } from '../../shared/errors';
import { someOf } from '../../shared/damage-groups';
import type { DamagedChunk, ManifestEntry, Snapshot, VerifyReport } from '../../shared/types';

/** The catalog as the user manages it: list, show, rename, note, pin, delete, verify. */
export class SnapshotService {
  /** Fires after any change to the list (capture, delete, rename, pin, prune), with the workload id. */
  readonly changed = new Emitter<{ workloadId: string }>();

  constructor(
    private readonly catalog: Catalog,
    private readonly files: ArchiveFiles,
    private readonly leases: Leases,
    private readonly storedVolumes: StoredVolumeReader = storedVolumeReader({ files }),
    /** Frees the chunks a deleted snapshot alone used (garbage collection; skipped while the store is busy). */
    private readonly collect: () => Promise<unknown> = () => Promise.resolve(),
  ) {}

  list(workloadId?: string): Snapshot[] {
    return this.catalog.list(workloadId);
  }

  show(ref: string): Snapshot {
    return this.catalog.resolve(ref);
  }

  update(ref: string, fields: { name?: string; note?: string; pinned?: boolean }): Snapshot {
    const snapshot = this.catalog.resolve(ref);
    const name = fields.name === undefined ? undefined : validateName(fields.name);
    if (name !== undefined && name !== snapshot.name && this.catalog.nameTaken(name)) {
      throw new VolsnapError('Conflict', `A snapshot named "${name}" already exists; choose another name.`);
    }
    this.catalog.update(snapshot.id, { ...fields, name });
    this.changed.emit({ workloadId: snapshot.workloadId });
    return this.catalog.get(snapshot.id)!;
  }

  /**
   * Deletes strictly: the archives go first and the row only once they are gone, so a failure
   * never leaves a row pointing at nothing. Pinned snapshots need `force`; a snapshot a job reads
   * (restore, diff, verify) is refused with `Conflict` naming the job, `force` or not.
   */
  async delete(ref: string, options: { confirm: string; force?: boolean }): Promise<Snapshot> {
    const snapshot = this.catalog.resolve(ref);
    if (options.confirm !== snapshot.name) {
      throw new VolsnapError(
        'ConfirmationMismatch',
        `To delete, confirm with the snapshot's exact name "${snapshot.name}".`,
      );
    }
    if (snapshot.pinned && !options.force) {
      throw new VolsnapError(
        'Conflict',
        `Snapshot "${snapshot.name}" is pinned. Unpin it first, or delete with --force.`,
      );
    }
    await this.remove(snapshot);
    // The snapshot is gone whatever happens here: a busy or failing collection is retried by the next one.
    await this.collect().catch(() => undefined);
    return snapshot;
  }

  /**
   * Removes a snapshot with no questions asked (retention, sweep); refuses with `Conflict` while
   * its workload captures it or a job reads it. The delete lease keeps new readers out meanwhile.
   */
  async remove(snapshot: Snapshot): Promise<void> {
    if (snapshot.status === 'capturing') {
      const holder = this.leases.holder(snapshot.workloadId);
      if (holder)
        throw new VolsnapError('Conflict', `Snapshot "${snapshot.name}" is being captured by job ${holder.jobId}.`);
    }
    const lease = this.leases.snapshots.forDelete(snapshot, JobRunner.newId());
    try {
      await this.files.removeDir(snapshot.id);
      this.catalog.remove(snapshot.id);
    } finally {
      lease.release();
    }
    this.changed.emit({ workloadId: snapshot.workloadId });
  }

  /** Ids of the snapshots live jobs of any process read now (retention skips them). */
  inUse(): Set<string> {
    return this.leases.snapshots.heldIds();
  }

  /** Checks every volume as its store format says (the archive's sha256), then re-reads its tar against the manifest. */
  async verify(ref: string): Promise<VerifyReport> {
    const snapshot = this.catalog.resolve(ref);
    if (snapshot.status !== 'ready') {
      throw new VolsnapError(
        'InvalidInput',
        `Snapshot "${snapshot.name}" is ${snapshot.status}; only ready snapshots can be verified.`,
      );
    }
    // Held while reading, so a delete or retention elsewhere cannot report a sound archive as missing.
    const lease = this.leases.snapshots.hold(snapshot, { id: JobRunner.newId(), kind: 'verify' });
    try {
      const checked = [];
      const damaged = new Map<string, string>();
      for (const volume of this.catalog.storedVolumes(snapshot.id)) {
        const check = await this.verifyVolume(snapshot.id, volume);
        for (const [hash, problem] of check.damaged) damaged.set(hash, problem);
        checked.push({ volume, ...check });
      }
      // A bad chunk may be shared: name every snapshot and file in the store it takes down with it.
      const damagedChunks = await this.storedVolumes.describeDamage(
        [...damaged].map(([hash, problem]) => ({ hash, problem })),
      );
      const volumes = checked.map(({ volume, problem, damaged: own }) => {
        const lost = own.size > 0 ? lostFiles(damagedChunks, own, { snapshotId: snapshot.id, volume }) : problem;
        return { volumeName: volume.volumeName, ok: lost === null, problem: lost };
      });
      return { snapshotId: snapshot.id, ok: volumes.every((v) => v.ok), volumes, damagedChunks };
    } finally {
      lease.release();
    }
  }

  /** The format's own check, then every file re-read (every chunk checked) against the manifest. */
  private async verifyVolume(
    snapshotId: string,
    volume: StoredVolume,
  ): Promise<{ problem: string | null; damaged: Map<string, string> }> {
    const problem = await this.storedVolumes.checkStored(snapshotId, volume);
    if (problem !== null) return { problem, damaged: new Map() };
    const tap = new ManifestTap(volume.volumeName);
    const { tar, damaged } = this.storedVolumes.checkedTar(snapshotId, volume);
    try {
      await pipeline(tar, tap, new Writable({ write: (_chunk, _encoding, callback) => callback() }));
    } catch (error) {
      return { problem: `archive cannot be read: ${(error as Error).message}`, damaged };
    }
    return {
      problem: compareManifests(this.catalog.manifest(snapshotId, volume.position), tap.result().entries),
      damaged,
    };
  }
}

/** A volume's verdict when chunks it uses are damaged: how many, and which of its files they take. */
function lostFiles(
  damaged: DamagedChunk[],
  own: Map<string, string>,
  where: { snapshotId: string; volume: StoredVolume },
): string {
  const paths = new Set(
    damaged
      .filter((chunk) => own.has(chunk.hash))
      .flatMap((chunk) => chunk.snapshots.filter((s) => s.snapshotId === where.snapshotId))
      .flatMap((s) => s.files.filter((f) => f.volumeName === where.volume.volumeName).map((f) => f.path)),
  );
  const count = `${own.size} chunk${own.size === 1 ? '' : 's'} missing or damaged`;
  return `${count}; files that cannot be read back: ${someOf([...paths], 10) || '(not found in its layout)'}`;
}

/** The first difference between a stored manifest and one rebuilt from the archive, or null. */
export function compareManifests(stored: ManifestEntry[], rebuilt: ManifestEntry[]): string | null {
  const byPath = new Map(rebuilt.map((e) => [e.path, e]));
  for (const entry of stored) {
    const found = byPath.get(entry.path);
    if (!found) return `${entry.path} is in the manifest but not in the archive`;
    if (found.type !== entry.type || found.sha256 !== entry.sha256 || found.size !== entry.size) {
      return `${entry.path} differs between manifest and archive`;
    }
    byPath.delete(entry.path);
  }
  const extra = byPath.keys().next();
  return extra.done ? null : `${extra.value} is in the archive but not in the manifest`;
}
