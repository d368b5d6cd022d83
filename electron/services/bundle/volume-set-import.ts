import type { EngineClient } from '../../docker/engine';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseBundleDoc, type BundleDoc, type BundleVolume } from './bundle-doc';
import { LIMITS, maxTarBytes, refused } from './bundle-format';
import { openIncoming, type IncomingArea } from './incoming';
import { CheckThreads } from './check-thread';
import { bounded } from './stream-check';
import { JobRunner } from '../jobs';
import { crashPoint } from '../restore/crash';
import type { WorkloadService } from '../workload-service';
import { readEngineIdentity } from '../../docker/engine-identity';
import type { ArchiveFiles } from '../../store/archive-files';
import type { Catalog, StoredVolume } from '../../store/catalog';
import type { Db } from '../../store/db';
import { freeBytes } from '../../store/disk-full';
import type { EngineIdentity } from '../../store/engine-registry';
import { EngineRegistry } from '../../store/engine-registry';
import { insertImported } from '../../store/imported-snapshots';
import { validateName } from '../../../shared/snapshot-name';
import { VolsnapError } from '../../../shared/errors';
import type { ImportProvenance, Provenance, Snapshot } from '../../../shared/types';

export interface ImportDeps {
  dataDir: string;
  db: Db;
  docker: EngineClient;
  catalog: Catalog;
  files: ArchiveFiles;
  workloads: WorkloadService;
}

export interface ImportOptions {
  name?: string;
  /** Workload id or name on the current engine; else the bundle's workload by name. */
  workload?: string;
  allowSpecialFiles?: boolean;
  /**
   * Set by `volsnap pull`: the snapshot is recorded with trigger `pull` and a provenance naming
   * the image, by the commit's own transaction, so it is never listed as a plain import first.
   * An option (not a commit argument) so that the vackup-layout pull, which commits through
   * `importForeign`, is recorded the same way.
   */
  pulledFrom?: { reference: string; digest: string | null };
}

/** Where the snapshot goes: chosen before a byte of stream is read, so a bad option fails at once. */
interface Target {
  workloadId: string;
  workloadName: string;
  name: string;
  engine: EngineIdentity;
}

/**
 * Verifies and stores a set of volume streams described by a volsnap.json document, whatever
 * carried them (a bundle file, standard input, a registry). `receive` each stream (any order),
 * then `commit`; on any failure call `abort`, which leaves nothing behind. Streams land in the
 * store's temporary area (`<dataDir>/incoming/`) and are checked entry by entry against the
 * manifest and the restore entry rules before the snapshot exists; commit renames them into
 * `archives/` and records the snapshot `ready` in one transaction.
 */
export class VolumeSetImport {
  private readonly received = new Map<number, StoredVolume>();

  private constructor(
    private readonly deps: ImportDeps,
    private readonly doc: BundleDoc,
    private readonly options: ImportOptions,
    private readonly target: Target,
    private readonly area: IncomingArea,
    private readonly threads: CheckThreads,
  ) {}

  /**
   * `threads` may come started (`prepare`d before the document was read), so the first stream's
   * check worker boots while the document is parsed; else it boots while the target is chosen.
   */
  /**
   * Reads the volsnap.json document from `body` (a bundle's first entry, an image's snapshot.json;
   * its size already bounded) and opens the import it describes. The first stream's check worker
   * boots while the document is read and parsed.
   */
  static async openFromDocument(
    deps: ImportDeps,
    body: AsyncIterable<Buffer>,
    options: ImportOptions,
  ): Promise<VolumeSetImport> {
    const threads = new CheckThreads();
    threads.prepare();
    let doc: BundleDoc;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk);
      doc = parseBundleDoc(Buffer.concat(chunks));
    } catch (error) {
      threads.close();
      throw error;
    }
    return VolumeSetImport.open(deps, doc, options, threads);
  }

  static async open(
    deps: ImportDeps,
    doc: BundleDoc,
    options: ImportOptions,
    threads = new CheckThreads(),
  ): Promise<VolumeSetImport> {
    if (doc.volumes.length > 0) threads.prepare();
    else threads.close();
    try {
      const target = await chooseTarget(deps, options, doc.snapshot);
      const needed = doc.volumes.reduce((sum, v) => sum + v.stream.sizeBytes, 0) + LIMITS.freeSpaceMargin;
      assertRoom(deps.dataDir, needed);
      const area = await openIncoming(deps.dataDir, JobRunner.newId());
      return new VolumeSetImport(deps, doc, options, target, area, threads);
    } catch (error) {
      threads.close();
      throw error;
    }
  }

  /** The checked volsnap.json this import follows. */
  document(): BundleDoc {
    return this.doc;
  }

  /** The volume a stream entry belongs to, or null when the document lists no such stream. */
  volumeOf(entry: string): { position: number; volume: BundleVolume } | null {
    const position = this.doc.volumes.findIndex((v) => v.stream.entry === entry);
    return position < 0 ? null : { position, volume: this.doc.volumes[position]! };
  }

  /**
   * Writes one stream to the temporary area (bounded here; hashed, written and checked entry by
   * entry in a check worker, from the same bytes as they pass). The stream's size and sha256 are
   * judged first, so an altered stream is reported as such even when its content fails the entry
   * checks too.
   */
  async receive(entry: string, source: Readable): Promise<void> {
    const found = this.volumeOf(entry);
    if (!found) throw refused(`it holds ${JSON.stringify(entry)}, which its volsnap.json does not list`);
    const { position, volume } = found;
    if (this.received.has(position)) throw refused(`it holds the stream ${entry} twice`);
    const file = `${position}-${volume.volumeName}.tar.zst`;
    const declared = volume.stream.sizeBytes;
    const check = this.threads.check(
      {
        file: this.area.pathOf(file),
        volumeName: volume.volumeName,
        manifest: volume.manifest,
        specialFiles: this.specialFiles(),
        maxTarBytes: maxTarBytes(volume.manifest, volume.volumeName),
      },
      this.received.size + 1 < this.doc.volumes.length,
    );
    try {
      await pipeline(
        source,
        bounded(declared, () => refused(`the stream ${entry} is longer than its volsnap.json declares`)),
        check.sink,
      );
    } catch (error) {
      check.stop();
      await check.verdict;
      throw error;
    }
    const { stream, error } = await check.verdict;
    if (stream === null) throw error;
    if (stream.bytes !== declared)
      throw refused(`the stream ${entry} is truncated (${stream.bytes} of ${declared} bytes)`);
    if (stream.sha256 !== volume.stream.sha256)
      throw refused(`the stream ${entry} does not match its sha256 in volsnap.json`);
    if (error !== null) throw error;
    crashPoint('import-checked');
    this.received.set(position, {
      position,
      archiveFile: file,
      format: 1,
      volumeName: volume.volumeName,
      owner: volume.owner,
      mountDestination: volume.mountDestination,
      sizeBytes: volume.sizeBytes,
      storedBytes: declared,
      fileCount: volume.fileCount,
      sha256: volume.stream.sha256,
    });
  }

  /** Stores the snapshot `ready` once every stream was received and checked. */
  async commit(imported: Omit<ImportProvenance, 'importedAt'>): Promise<Snapshot> {
    const missing = this.doc.volumes.find((_, position) => !this.received.has(position));
    if (missing) throw refused(`it lacks the stream of volume ${missing.volumeName} (the file may be truncated)`);
    const { deps, doc, target } = this;
    const snapshotId = this.area.snapshotId;
    const provenance: Provenance = {
      ...(doc.snapshot.provenance ?? { engineVersion: '', engineHost: '', containers: [], mounts: [] }),
      imported: this.recordedAs(imported),
    };
    this.threads.close();
    await this.area.commit(deps.files);
    // A crash here leaves archives/<id> without a row: the sweep removes it with the dead import's area.
    crashPoint('import-moved');
    try {
      insertImported(deps.db, deps.catalog, {
        snapshot: {
          id: snapshotId,
          name: target.name,
          note: doc.snapshot.note,
          workloadId: target.workloadId,
          workloadName: target.workloadName,
          createdAt: doc.snapshot.createdAt,
          trigger: this.options.pulledFrom ? 'pull' : 'import',
          mode: doc.snapshot.mode,
          expiresAt: null,
          provenance,
        },
        specialFiles: this.specialFiles(),
        engine: target.engine,
        volumes: doc.volumes.map((v, position) => ({
          volume: this.received.get(position)!,
          entries: v.manifest,
        })),
      });
    } catch (error) {
      await deps.files.removeDir(snapshotId).catch(() => undefined);
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new VolsnapError('Conflict', `A snapshot named "${target.name}" appeared meanwhile; import again.`);
      throw error;
    }
    crashPoint('import-recorded');
    new EngineRegistry(deps.db).remember(target.engine);
    await this.area.remove();
    return deps.catalog.get(snapshotId)!;
  }

  /** Removes everything this import wrote. */
  async abort(): Promise<void> {
    this.threads.close();
    await this.area.remove();
  }

  /** The import provenance as stored: a pull names its image (reference, and the digest as the file's sha256). */
  private recordedAs(imported: Omit<ImportProvenance, 'importedAt'>): ImportProvenance {
    const importedAt = new Date().toISOString();
    const image = this.options.pulledFrom;
    if (!image) return { ...imported, importedAt };
    const fileSha256 = image.digest?.replace(/^sha256:/, '') ?? imported.fileSha256;
    return { ...imported, source: 'registry', fileName: image.reference, fileSha256, image, importedAt };
  }

  private specialFiles() {
    return this.options.allowSpecialFiles ? ('allowed' as const) : ('refused' as const);
  }
}

async function chooseTarget(
  deps: ImportDeps,
  options: ImportOptions,
  original: { name: string; workloadId: string; workloadName: string },
): Promise<Target> {
  const engine = await readEngineIdentity(deps.docker);
  let workloadId = original.workloadId;
  let workloadName = original.workloadName;
  if (options.workload !== undefined) {
    const workload = await deps.workloads.resolve(options.workload);
    ({ id: workloadId, name: workloadName } = workload);
  } else {
    // The bundle's workload by name when it exists here; else it keeps its own (its volumes are restored by name).
    const here = await deps.workloads.resolve(original.workloadName).catch(() => null);
    if (here) ({ id: workloadId, name: workloadName } = here);
  }
  return { workloadId, workloadName, name: chooseName(deps.catalog, options.name, original.name), engine };
}

/** `--name` must be free; the original name gets `-imported`, `-imported-2`… when taken. */
function chooseName(catalog: Catalog, requested: string | undefined, original: string): string {
  if (requested !== undefined) {
    const name = validateName(requested);
    if (catalog.nameTaken(name))
      throw new VolsnapError('Conflict', `A snapshot named "${name}" already exists; choose another --name.`);
    return name;
  }
  let base: string;
  try {
    base = validateName(original);
  } catch {
    base = 'imported';
  }
  if (!catalog.nameTaken(base)) return base;
  const stem = base.slice(0, 100);
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${stem}-imported` : `${stem}-imported-${n}`;
    if (!catalog.nameTaken(name)) return name;
  }
}

/** The import needs `bytes` on the store's disk; refuse before writing any of them. */
export function assertRoom(dataDir: string, bytes: number): void {
  const free = freeBytes(dataDir);
  if (free !== null && free < bytes)
    throw new VolsnapError(
      'InvalidInput',
      `The import needs ${Math.ceil(bytes / 1e6)} MB but the disk holding ${dataDir} has ${Math.floor(free / 1e6)} MB free. Free some space (or prune snapshots) and import again.`,
    );
}
