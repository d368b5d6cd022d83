import path from 'node:path';
import type { Readable } from 'node:stream';
import { formatOneReader } from './format-one';
import { formatTwoReader, type ChunkAccess } from './format-two';
import type { ListLocations } from '../chunked/list-locations';
import { PackFiles } from '../chunked/pack-files';
import { ChunkIndex } from '../../store/chunks/chunk-index';
import { openDb } from '../../store/db';
import type { FileCopy } from './tar-files';
import { describeDamage } from './chunk-damage';
import type { ChunkProblem } from './format-two-check';
import { ChunkUsers } from '../../store/chunks/chunk-users';
import type { DamagedChunk } from '../../../shared/types';
import { ArchiveFiles } from '../../store/archive-files';
import type { StoredVolume } from '../../store/catalog';
import { VolsnapError } from '../../../shared/errors';

/** A zstd-compressed tar of one volume whose size and hash are known before it is sent. */
export interface CompressedTar {
  sizeBytes: number;
  sha256: string;
  /** The bytes; they must still match `sizeBytes` and `sha256` (the sender checks as it copies). */
  open(): Readable;
}

/**
 * A zstd-compressed tar of one volume whose size is known before it is sent; its sha256 is known
 * too (format 1's archive, checked by the sender as it copies) or null: learnt by the sender as it
 * copies, the stream checking every chunk as it is read (format 2).
 */
export interface SizedTar {
  sizeBytes: number;
  sha256: string | null;
  /**
   * The bytes, in pieces of any size (format 2: frame by frame, for a reader that gathers them
   * itself), each valid until the next is asked for.
   */
  open(): AsyncIterable<Buffer>;
  /**
   * `open`'s bytes, with the chunks of the later half of the content left unchecked until
   * `checkRest`, which must succeed before the bytes are trusted (and, once the bytes were all
   * read, is called to release what they held): for a caller with a core to spare once the stream
   * is out (an export to a file, while it reads the file back for its sha256). Format 1 has
   * nothing to leave: its recorded sha256 is checked as the stream is copied.
   */
  openCheckingLater(): { bytes: AsyncIterable<Buffer>; checkRest: () => Promise<void> };
}

/**
 * The snapshot's chunk locations, when another thread looks them up meanwhile (list-locations.ts);
 * null when it could not: the reader then looks them up itself.
 */
export type KnownLocations = Promise<ListLocations | null>;

/** What each store format implements; the rest of the reader is built on it. */
export interface FormatReader {
  /** The volume's uncompressed tar, byte for byte as the Engine gave it at capture. */
  tar(snapshotId: string, volume: StoredVolume, signal?: AbortSignal): Readable;
  /**
   * For bundle export and registry push, which need the compressed size and sha256 up front: format
   * 2 reads and checks the whole volume to learn them, reported to `onChecked` (which may throw to
   * stop, as on a cancel).
   */
  compressed(snapshotId: string, volume: StoredVolume, onChecked?: CheckProgress): Promise<CompressedTar>;
  /**
   * For registry push, whose image layer can carry snapshot.json after the volumes: one pass that
   * checks as it goes, its size known up front (format 2 adds up the stored frames' sizes).
   */
  sized(snapshotId: string, volume: StoredVolume, known?: KnownLocations): Promise<SizedTar>;
  /** The format's own integrity check (verify's and restore's first step): a problem, or null. */
  checkStored(snapshotId: string, volume: StoredVolume): Promise<string | null>;
  /**
   * The tar for verify: a chunk that cannot be read back is recorded in `damaged` (hash → what is
   * wrong) as the tar is read, instead of ending it, so every file is still checked.
   */
  checkedTar(snapshotId: string, volume: StoredVolume): CheckedTar;
  /** One entry's bytes when it is a regular file of at most `maxBytes`; else null. */
  fileBytes(snapshotId: string, volume: StoredVolume, file: { path: string; maxBytes: number }): Promise<Buffer | null>;
  /**
   * Writes one regular file's bytes to `out` (not ending it) as they are read, checking them
   * against `sha256` at the end (null: unchecked). `path` is relative to the volume root.
   */
  writeFile(
    snapshotId: string,
    volume: StoredVolume,
    file: { path: string; sha256: string | null },
    out: NodeJS.WritableStream,
  ): Promise<FileCopy>;
}

/** Bytes of a volume's tar read and checked so far, of `total`. */
export type CheckProgress = (done: number, total: number) => void;

export interface CheckedTar {
  tar: Readable;
  damaged: Map<string, string>;
}

/**
 * The one reader of stored volume data: restore, clone, diff, verify, export, push, extract and
 * the file browser read through it, so a store format is known here and nowhere else. Listings
 * come from the stored manifest (ManifestFiles), not from here.
 */
export interface StoredVolumeReader extends FormatReader {
  /** For verify: every snapshot and file in the store that each damaged chunk loses. */
  describeDamage(problems: ChunkProblem[]): Promise<DamagedChunk[]>;
}

export type { FileCopy };

export interface StoredVolumeDeps {
  files: ArchiveFiles;
  /** Format 2's chunk index and packs; by default opened on first use from the data directory. */
  chunks?: ChunkAccess;
}

/** The reader, dispatching each call on the volume's store format. */
export function storedVolumeReader(deps: StoredVolumeDeps): StoredVolumeReader {
  const chunks = deps.chunks ?? chunksOf(path.dirname(deps.files.root));
  const formats: Record<number, FormatReader | undefined> = {
    1: formatOneReader(deps.files),
    2: formatTwoReader(deps.files, chunks),
  };
  const of = (volume: StoredVolume): FormatReader => formats[volume.format] ?? refuseFormat(volume);
  return {
    tar: (snapshotId, volume, signal) => of(volume).tar(snapshotId, volume, signal),
    compressed: (snapshotId, volume, onChecked) => of(volume).compressed(snapshotId, volume, onChecked),
    sized: (snapshotId, volume, known) => of(volume).sized(snapshotId, volume, known),
    checkStored: (snapshotId, volume) => of(volume).checkStored(snapshotId, volume),
    checkedTar: (snapshotId, volume) => of(volume).checkedTar(snapshotId, volume),
    fileBytes: (snapshotId, volume, file) => of(volume).fileBytes(snapshotId, volume, file),
    writeFile: (snapshotId, volume, file, out) => of(volume).writeFile(snapshotId, volume, file, out),
    describeDamage: async (problems) =>
      problems.length === 0 ? [] : describeDamage({ files: deps.files, users: chunks().users }, problems),
  };
}

/** The reader a worker thread builds for itself from the data directory alone. */
export function readerForDataDir(dataDir: string): StoredVolumeReader {
  return storedVolumeReader({ files: new ArchiveFiles(dataDir) });
}

/** Opens the chunk store when a format 2 volume is first read; the connection lives as long as the process. */
function chunksOf(dataDir: string): ChunkAccess {
  let access: ReturnType<ChunkAccess> | undefined;
  return () => {
    if (access) return access;
    const db = openDb(dataDir);
    return (access = { index: new ChunkIndex(db), packs: new PackFiles(dataDir), users: new ChunkUsers(db) });
  };
}

function refuseFormat(volume: StoredVolume): never {
  throw new VolsnapError(
    'Unsupported',
    `Volume ${volume.volumeName} is stored in format ${String(volume.format)}, which this version of Volsnap cannot read. Open the store with the version that wrote it, or update Volsnap.`,
  );
}
