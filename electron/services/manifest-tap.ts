import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import type { EntryType, ManifestEntry } from '../../shared/types';
import { VolsnapError } from '../../shared/errors';

export interface ManifestResult {
  entries: ManifestEntry[];
  /** Bytes of regular-file content. */
  contentBytes: number;
  fileCount: number;
  /** Bytes of tar stream seen (headers included). */
  tarBytes: number;
}

/** Our entry type for each tar entry type; anything else (devices, fifos) is `other`. */
export const TAR_ENTRY_TYPES: Record<string, EntryType> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

/** A path inside a tar made relative to its top folder `rootName`; the folder itself is ".". */
export function relativeTarPath(tarPath: string, rootName: string): string {
  const trimmed = tarPath.replace(/\/+$/, '');
  if (trimmed === rootName) return '.';
  const prefix = `${rootName}/`;
  return trimmed.startsWith(prefix) ? trimmed.slice(prefix.length) : trimmed;
}

/**
 * A pass-through stream that reads a volume's tar once and builds its manifest on the way: every
 * byte goes on unchanged (to the compressor) and into a tar parser that hashes each file.
 * `rootName` is the top-level folder the Engine puts the volume under; paths are made relative to
 * it, and the volume root itself is recorded as ".".
 */
export class ManifestTap extends Transform {
  private readonly parser: Parser;
  private readonly entries: ManifestEntry[] = [];
  private contentBytes = 0;
  private tarBytes = 0;
  private parseError: Error | null = null;
  private readonly done: Promise<void>;

  constructor(
    private readonly rootName: string,
    /** Called for every chunk, so one big file still reports progress while it streams. */
    private readonly onProgress: (totals: { tarBytes: number; files: number }) => void = () => undefined,
    /** Only the hostile-input tests turn this off, to describe a forged archive as a capture would. */
    private readonly options: { refuseOutsideRoot: boolean } = { refuseOutsideRoot: true },
  ) {
    super();
    this.parser = new Parser({ strict: true, onReadEntry: (entry) => this.record(entry) });
    this.parser.on('error', (error: Error) => (this.parseError ??= error));
    this.parser.on('warn', (_code: string, message: string | Error) => {
      this.parseError ??= message instanceof Error ? message : new Error(message);
    });
    this.done = new Promise((resolve) => this.parser.on('end', () => resolve()));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.tarBytes += chunk.length;
    this.push(chunk);
    const report = () => {
      this.onProgress({ tarBytes: this.tarBytes, files: this.entries.length });
      callback();
    };
    if (this.parser.write(chunk)) report();
    else this.parser.once('drain', report);
  }

  override _flush(callback: TransformCallback): void {
    this.parser.end();
    this.done.then(() => callback(this.parseError), callback);
  }

  /** The manifest; valid once the stream has finished. */
  result(): ManifestResult {
    const fileCount = this.entries.filter((e) => e.type === 'file').length;
    return { entries: this.entries, contentBytes: this.contentBytes, fileCount, tarBytes: this.tarBytes };
  }

  private record(entry: ReadEntry): void {
    const row = manifestRow(entry, this.rootName);
    if (this.options.refuseOutsideRoot) this.parseError ??= outsideVolume(entry, this.rootName) ?? null;
    if (row.type === 'file') {
      const hash = createHash('sha256');
      entry.on('data', (data: Buffer) => hash.update(data));
      entry.on('end', () => {
        row.sha256 = hash.digest('hex');
        this.contentBytes += row.size;
        this.entries.push(row);
      });
    } else {
      this.entries.push(row);
      entry.resume();
    }
  }
}

/** What a manifest row is made of: node-tar's ReadEntry, or the same fields read by chunked/plain-header.ts. */
export type TarEntryFields = Pick<ReadEntry, 'type' | 'path' | 'size' | 'mode' | 'uid' | 'gid' | 'mtime' | 'linkpath'>;

/** A tar entry's manifest row (a file's sha256 still null), its paths relative to the volume's folder. */
export function manifestRow(entry: TarEntryFields, rootName: string): ManifestEntry {
  const type = TAR_ENTRY_TYPES[entry.type] ?? 'other';
  return {
    path: relativeTarPath(entry.path, rootName),
    type,
    size: type === 'file' ? entry.size : 0,
    mode: (entry.mode ?? 0) & 0o7777,
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    mtime: Math.floor((entry.mtime?.getTime() ?? 0) / 1000),
    sha256: null,
    linkTarget:
      type === 'symlink'
        ? (entry.linkpath ?? '')
        : type === 'hardlink'
          ? relativeTarPath(entry.linkpath ?? '', rootName)
          : null,
  };
}

/**
 * Every entry must sit in the volume's folder. Docker's archive endpoint guarantees it; Podman's
 * names a mount point's entries `/`, `/a.txt` (docs/decisions.md, "Podman's compatibility API"),
 * which would store a snapshot that restore can never use: refused before anything is kept.
 */
export function outsideVolume(entry: TarEntryFields, rootName: string): VolsnapError | undefined {
  const inside = (tarPath: string) => {
    const trimmed = tarPath.replace(/\/+$/, '');
    return trimmed === rootName || trimmed.startsWith(`${rootName}/`);
  };
  // A hardlink's target is a path in the archive too.
  const paths = entry.type === 'Link' ? [entry.path, entry.linkpath ?? ''] : [entry.path];
  const tarPath = paths.find((path) => !inside(path));
  if (tarPath === undefined) return undefined;
  return new VolsnapError(
    'Unsupported',
    `The engine's archive of volume ${rootName} names an entry outside the volume's folder (${JSON.stringify(tarPath)}). ` +
      `This engine's archive endpoint does not behave like Docker's (Podman's compatibility API is known to do this); nothing was stored.`,
  );
}
