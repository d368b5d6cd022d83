import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import type { EngineClient as Docker } from '../docker/engine';
import { archiveVolume } from './volume-archiver';
import type { PreviousLayout } from './chunked/chunked-capture';
import { REUSE_MISMATCH } from './chunked/reusable-files';
import { reuseUnchangedVolume } from './chunked/unchanged-volume';
import { crashPoint } from './restore/crash';
import { assertNoRestoreFolders } from './capture-guard';
import type { CapturePlan, PlannedVolume } from './capture-plan';
import type { JobContext } from './jobs';
import type { ProgressTotal } from './progress-total';
import type { EngineIdentity } from '../store/engine-registry';
import type { ArchiveFiles } from '../store/archive-files';
import type { Catalog, StoreFormat, StoredVolume } from '../store/catalog';
import type { Db } from '../store/db';
import type { ManifestEntry } from '../../shared/types';
import type { VolumeListing } from '../docker/volume-listing';

export interface VolumeCaptureDeps {
  dataDir: string;
  db: Db;
  catalog: Catalog;
  files: ArchiveFiles;
  /** The store format new volumes are kept in. */
  format: StoreFormat;
}

/** The helper's listing of the volumes, asked once for all of them; `settled` once it answered. */
export class PendingListing {
  settled = false;

  constructor(readonly answer: Promise<Map<string, VolumeListing>>) {
    const settle = () => (this.settled = true);
    answer.then(settle, settle);
  }
}

/** What a capture found a volume to hold and cost. */
type VolumeFigures = Pick<StoredVolume, 'sizeBytes' | 'storedBytes' | 'addedBytes' | 'fileCount' | 'sha256'>;

/** The same volume in the workload's last ready snapshot (format 2). */
interface PreviousVolume {
  layout: PreviousLayout;
  stored: StoredVolume;
  /** How many volumes that snapshot has. */
  volumes: number;
}

/** A volume as the capture stored it, with what the catalog is told of it. */
export interface CapturedVolume {
  volume: StoredVolume;
  entries: ManifestEntry[];
  /** Format 2: the chunks the volume uses, 32-byte hashes back to back. */
  chunks: Buffer;
  /** The earlier snapshot's volume whose layout had the very same bytes, so the same manifest. */
  sameEntriesAs?: { snapshotId: string; position: number };
}

/**
 * One volume of a capture into the snapshot's folder: reused from the workload's last snapshot when
 * the helper lists it as it was then (volume-listing.ts), else read through the helper.
 */
export class VolumeCapture {
  constructor(private readonly deps: VolumeCaptureDeps) {}

  /**
   * Commits the volume's file in the snapshot's folder and returns what the catalog is to be told.
   * A read reuses the previous snapshot's files whose contents are the same (reusable-files.ts).
   */
  async capture(
    ctx: JobContext,
    plan: CapturePlan,
    at: {
      helper: Docker.Container;
      volume: PlannedVolume;
      position: number;
      engine: EngineIdentity;
      listed: PendingListing;
      total: ProgressTotal;
      /** Tar bytes of the volumes before this one, for the progress. */
      done: { bytes: number };
    },
  ): Promise<CapturedVolume> {
    const { files, format } = this.deps;
    const { volume, position, listed, total, done } = at;
    const file = `${position}-${volume.volumeName}${format === 2 ? '.layout' : '.tar.zst'}`;
    const tempPath = files.tempPathOf(plan.snapshotId, file);
    const progress = (tarBytes: number, filesDone: number, detail?: string) => {
      const bytesDone = done.bytes + tarBytes;
      total.report((bytesTotal) =>
        ctx.progress({
          phase: 'capturing',
          volume: volume.volumeName,
          bytesDone,
          bytesTotal,
          filesDone,
          // An estimate (the listing's sizes, the Engine's, the last snapshot's): never claim to be done before the end.
          ratio: bytesTotal ? Math.min(0.99, bytesDone / bytesTotal) : null,
          ...(detail && { detail }),
        }),
      );
    };
    const previous = format === 2 ? this.previousVolume(plan, volume.volumeName) : undefined;
    const listing = listed.answer.then((listings) => {
      const digest = listings.get(volume.volumeName)?.digest;
      return digest && listingKey(at.engine, volume.volumeName, digest);
    });
    const unchanged = (key: string | undefined) => key !== undefined && previous?.stored.listing === key;
    const read = (reuse?: PreviousLayout, early?: AbortController) =>
      archiveVolume({
        helper: at.helper,
        volumeName: volume.volumeName,
        tempPath,
        format,
        dataDir: this.deps.dataDir,
        previous: reuse,
        // Nothing is read before it is listed (volume-listing.ts), nor once it lists unchanged.
        openAfter: listing.then((key) => unchanged(key) && early?.abort()),
        signal: early ? AbortSignal.any([ctx.signal, early.signal]) : ctx.signal,
        onProgress: (tarBytes, filesDone) => progress(tarBytes, filesDone),
      });
    // Still being listed (a live capture's first volume) and read whatever the listing says (nothing
    // listed to compare with) or likely to be (it brought new data last time): the read starts now,
    // so its worker boots and loads the previous layout meanwhile; it is dropped, before the Engine
    // is asked for anything, if the volume lists unchanged. One that was unchanged last time waits.
    const likelyRead = !previous?.stored.listing || (previous.stored.addedBytes ?? 0) > 0;
    const early = !listed.settled && likelyRead ? new AbortController() : undefined;
    const reading = early && read(previous?.layout, early);
    reading?.catch(() => undefined);
    const key = await listing;
    const stored = { ...volume, position, archiveFile: file, format, ...(key && { listing: key }) };
    try {
      if (previous && unchanged(key)) {
        await reading?.catch(() => undefined);
        const reused = await this.reuseUnchanged(previous, tempPath).catch(() => undefined);
        if (reused) {
          assertNoRestoreFolders(volume.volumeName, reused.entries);
          await files.commit(plan.snapshotId, file);
          crashPoint('capture-layout-committed');
          const tarBytes = estimatedTarBytes(previous.stored);
          progress(tarBytes, previous.stored.fileCount, 'unchanged since the last snapshot, not read again');
          done.bytes += tarBytes;
          return { ...reused, volume: { ...stored, ...reused.figures } };
        }
      }
      // The early read was dropped when the volume listed unchanged; its layout could not be reused.
      const first = reading && !early?.signal.aborted ? reading : read(previous?.layout);
      // A file changed under an unchanged header cannot be reused: the volume is read again, whole.
      const archived = await first.catch((error: { code?: string }) => {
        if (previous && error.code === REUSE_MISMATCH) return read();
        throw error;
      });
      assertNoRestoreFolders(volume.volumeName, archived.manifest.entries);
      await files.commit(plan.snapshotId, file);
      crashPoint('capture-layout-committed');
      done.bytes += archived.manifest.tarBytes;
      return {
        volume: {
          ...stored,
          sizeBytes: archived.manifest.contentBytes,
          storedBytes: archived.storedBytes,
          addedBytes: archived.addedBytes,
          fileCount: archived.manifest.fileCount,
          sha256: archived.sha256,
        },
        entries: archived.manifest.entries,
        chunks: archived.chunks ?? Buffer.alloc(0),
        // Equal layout bytes are the same tar: its headers and, by their chunks' hashes, its contents.
        ...(previous?.stored.sha256 === archived.sha256 && { sameEntriesAs: previous.layout }),
      };
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
  }

  /** The previous snapshot's volume as this one's: its layout, its files' figures and manifest, no new chunk. */
  private async reuseUnchanged(
    previous: PreviousVolume,
    tempPath: string,
  ): Promise<Omit<CapturedVolume, 'volume'> & { figures: VolumeFigures }> {
    const { layout, stored } = previous;
    const reused = await reuseUnchangedVolume(
      this.deps.db,
      { ...layout, sha256: stored.sha256, onlyVolume: previous.volumes === 1 },
      tempPath,
    );
    return {
      figures: {
        sizeBytes: stored.sizeBytes,
        storedBytes: reused.storedBytes,
        addedBytes: 0,
        fileCount: stored.fileCount,
        sha256: reused.sha256,
      },
      entries: this.deps.catalog.manifest(layout.snapshotId, layout.position),
      chunks: reused.chunks,
      sameEntriesAs: layout,
    };
  }

  /** The volume in the workload's last ready snapshot, if it is kept as chunks: its layout and its row. */
  private previousVolume(plan: CapturePlan, volumeName: string): PreviousVolume | undefined {
    const last = this.deps.catalog.list(plan.workload.id).find((s) => s.status === 'ready');
    const volumes = last ? this.deps.catalog.storedVolumes(last.id) : [];
    const stored = volumes.find((v) => v.volumeName === volumeName);
    if (!last || stored?.format !== 2) return undefined;
    const layoutPath = this.deps.files.pathOf(last.id, stored.archiveFile);
    return {
      layout: { layoutPath, snapshotId: last.id, position: stored.position },
      stored,
      volumes: volumes.length,
    };
  }
}

/** A volume's tar bytes from its last snapshot: each entry costs a 512-byte header and, on average, half a block of padding. */
export function estimatedTarBytes(volume: { sizeBytes: number; fileCount: number }): number {
  return volume.sizeBytes + volume.fileCount * 768;
}

/**
 * What a volume's listing is kept as: the helper's digest bound to the engine and the volume, so
 * a volume of the same name elsewhere never matches.
 */
function listingKey(engine: EngineIdentity, volumeName: string, digest: string): string {
  return createHash('sha256').update(`volsnap-listing-1\n${engine.id}\n${volumeName}\n${digest}`).digest('hex');
}
