import { randomUUID } from 'node:crypto';
import { rm, unlink } from 'node:fs/promises';
import type { ArchiveFiles } from '../../store/archive-files';
import type { Catalog, StoredVolume } from '../../store/catalog';
import type { FormatMigrationRows } from '../../store/chunks/format-migration-rows';
import { freeBytes } from '../../store/disk-full';
import type { Lease } from '../../store/lease-liveness';
import type { SnapshotLeases } from '../../store/snapshot-leases';
import type { StoreLock } from '../../store/store-lock';
import { VolsnapError } from '../../../shared/errors';
import type { ManifestEntry } from '../../../shared/types';
import type { ArchivedVolume } from '../archive-pipeline';
import type { StoredVolumeReader } from '../stored-volumes/stored-volume-reader';
import { crashPoint } from '../restore/crash';

/** What one pass of the migration did. */
export interface MigrationReport {
  /** Volumes now kept as chunks. */
  converted: number;
  /** Format 1 volumes left: in use, being deleted, unreadable, or the disk too full. */
  remaining: number;
  /** Old archives freed (bytes); those a reader still held are freed by the next collection. */
  freedBytes: number;
  /** Why a snapshot was left as it is, one line each. */
  skipped: string[];
  /** True when another process was migrating (or maintaining) the store: nothing was done. */
  busy: boolean;
}

export interface StoreMigrationDeps {
  rows: FormatMigrationRows;
  catalog: Pick<Catalog, 'storedVolumes' | 'manifest'>;
  files: ArchiveFiles;
  storedVolumes: Pick<StoredVolumeReader, 'tar'>;
  snapshotLeases: Pick<SnapshotLeases, 'hold' | 'heldByOthers'>;
  lock: Pick<StoreLock, 'tryMigration'>;
  dataDir: string;
  /** Stores one tar stream as format 2 (the archive worker): the layout at tempPath, chunks in the store. */
  chunkTar: (options: {
    source: NodeJS.ReadableStream & { destroy(error?: Error): void };
    volumeName: string;
    tempPath: string;
    signal: AbortSignal;
  }) => Promise<ArchivedVolume>;
}

/**
 * Converts a store written before format 2 (each volume one zstd tar) to chunks, volume by volume,
 * in the background (issue 18). Each volume's switch is one transaction after its layout and
 * chunks are durable, so a kill at any moment leaves it exactly format 1 or exactly format 2,
 * both readable; the next pass resumes with what is left. Old archives go once nothing reads them.
 */
export class StoreMigration {
  constructor(private readonly deps: StoreMigrationDeps) {}

  async run(signal: AbortSignal = new AbortController().signal): Promise<MigrationReport> {
    const report: MigrationReport = { converted: 0, remaining: 0, freedBytes: 0, skipped: [], busy: false };
    if (this.deps.rows.pendingVolumes() === 0) return report;
    const jobId = randomUUID();
    // Keeps garbage collection out while chunks are written that no snapshot lists yet.
    const writer = this.deps.lock.tryMigration(jobId);
    if (!writer) return { ...report, busy: true, remaining: this.deps.rows.pendingVolumes() };
    try {
      for (const snapshot of this.deps.rows.pendingSnapshots()) {
        signal.throwIfAborted();
        const left = await this.convertSnapshot(snapshot, jobId, signal, report);
        if (left) report.skipped.push(`${snapshot.name}: ${left.reason}`);
        // A full disk stops the pass: every later snapshot would be left for the same reason.
        if (left?.diskFull) break;
      }
    } finally {
      writer.release();
    }
    report.remaining = this.deps.rows.pendingVolumes();
    return report;
  }

  /** Converts a snapshot's format 1 volumes; why it was left, or null. */
  private async convertSnapshot(
    snapshot: { id: string; name: string },
    jobId: string,
    signal: AbortSignal,
    report: MigrationReport,
  ): Promise<{ reason: string; diskFull?: boolean } | null> {
    let lease: Lease;
    try {
      // Held as a reader: no delete or prune removes it meanwhile; readers go on beside it.
      lease = this.deps.snapshotLeases.hold(snapshot, { id: jobId, kind: 'format migration' });
    } catch (error) {
      return { reason: (error as Error).message };
    }
    try {
      for (const volume of this.deps.catalog.storedVolumes(snapshot.id).filter((v) => v.format === 1)) {
        const room = freeBytes(this.deps.dataDir);
        // The chunks of a volume that shares nothing can take as much as its archive, for a while both.
        if (room !== null && room < volume.storedBytes * 2 + 64 * 1024 * 1024) {
          return {
            reason: `paused: the disk holding the store has ${Math.floor(room / 1048576)} MB free`,
            diskFull: true,
          };
        }
        report.freedBytes += await this.convertVolume(snapshot.id, volume, jobId, signal);
        report.converted++;
      }
      return null;
    } catch (error) {
      if (signal.aborted) throw error;
      return { reason: (error as Error).message };
    } finally {
      lease.release();
    }
  }

  /** One volume: layout and chunks durable, then the switch, then the old archive. Bytes freed. */
  private async convertVolume(snapshotId: string, volume: StoredVolume, jobId: string, signal: AbortSignal) {
    const { files, rows } = this.deps;
    const layout = `${volume.position}-${volume.volumeName}.layout`;
    const tempPath = files.tempPathOf(snapshotId, layout);
    try {
      const converted = await this.deps.chunkTar({
        source: this.deps.storedVolumes.tar(snapshotId, volume, signal),
        volumeName: volume.volumeName,
        tempPath,
        signal,
      });
      // Only content the manifest vouches for becomes chunks: a damaged archive stays as it is,
      // for `verify` to report, rather than turning into a format 2 volume that looks whole.
      const difference = manifestDifference(
        this.deps.catalog.manifest(snapshotId, volume.position),
        converted.manifest.entries,
      );
      if (difference) {
        throw new VolsnapError('Integrity', `volume ${volume.volumeName} does not match its manifest (${difference})`);
      }
      await files.commit(snapshotId, layout);
      crashPoint('migrate-layout-committed');
      const switched = rows.switchToChunks(snapshotId, volume.position, {
        archiveFile: layout,
        storedBytes: converted.storedBytes,
        addedBytes: converted.addedBytes ?? 0,
        sha256: converted.sha256,
        chunks: converted.chunks ?? Buffer.alloc(0),
      });
      crashPoint('migrate-switched');
      if (!switched) return 0;
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    // A reader that looked the volume up before the switch may still open the old archive; the
    // next collection (store-gc.ts) removes it once nothing reads the snapshot.
    if (this.deps.snapshotLeases.heldByOthers(snapshotId, jobId)) return 0;
    await rm(files.pathOf(snapshotId, volume.archiveFile), { force: true });
    crashPoint('migrate-old-removed');
    return volume.storedBytes;
  }
}

/** The first way the content read differs from the manifest recorded at capture, or null. */
export function manifestDifference(recorded: ManifestEntry[], read: ManifestEntry[]): string | null {
  if (recorded.length !== read.length) return `${read.length} entries, the manifest lists ${recorded.length}`;
  const byPath = new Map(read.map((entry) => [entry.path, entry]));
  for (const entry of recorded) {
    const found = byPath.get(entry.path);
    if (!found) return `${entry.path} is missing`;
    if (found.type !== entry.type || found.size !== entry.size || found.sha256 !== entry.sha256) {
      return `${entry.path} differs`;
    }
  }
  return null;
}
