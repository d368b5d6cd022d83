import { Transform, type TransformCallback } from 'node:stream';
import { Header } from 'tar';
import { VolsnapError } from '../../shared/errors';
import {
  BLOCK,
  TYPEFLAG,
  checksumValid,
  encodePaxRecords,
  headerLinkname,
  headerPath,
  isZeroBlock,
  padded,
  parsePaxRecords,
  paxHeaderBlock,
  writeChecksum,
  writeHeaderPath,
  writeLinkname,
  writePlaceholderPath,
  writeSize,
  MAX_META,
} from './tar-header-fields';

/** Extended headers: PAX local and global, GNU long name and long link name. */
const EXTENSIONS = new Set(['x', 'g', 'L', 'K']);
/** Entry types with a body; the other entry types ('1'–'6') are header-only, as Go's archive/tar reads them. */
const WITH_BODY = new Set(['0', '\0', '7']);
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

interface Extension {
  block: Buffer;
  type: string;
  body: Buffer;
}

/** Where one name of an entry is written; `write` returns false when the value does not fit (unless truncating). */
interface NameSites {
  record: [string, string] | undefined;
  long: Extension | undefined;
  field: string;
  paxKey: 'path' | 'linkpath';
  write: (value: string, truncate: boolean) => boolean;
}

/**
 * The Engine's tar of a volume, with Docker's entry names whichever engine made it. Docker names
 * a mount point's entries `<volume>/`, `<volume>/a.txt`; Podman 4.3 names them `/`, `/a.txt`
 * (docs/decisions.md, "Podman's compatibility API"). The first entry decides: Docker's archive goes
 * through untouched, chunk for chunk, with no parsing; Podman's has every entry name (ustar fields,
 * PAX `path`, GNU long names) and hardlink target put under `<rootName>/`, checksums recomputed,
 * file bodies passed through without a copy. Malformed input is refused, never passed on.
 */
export function volumeTarNames(rootName: string): Transform {
  return new VolumeTarNames(rootName);
}

class VolumeTarNames extends Transform {
  private mode: 'undecided' | 'docker' | 'podman' = 'undecided';
  /** Until the first entry is seen: the chunks read so far, unchanged. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** The extended header whose body is being read, and that body (padding included). */
  private extension: { block: Buffer; type: string; size: number; body: Buffer; fill: number } | null = null;
  /** Extended headers read and waiting for the entry they describe. */
  private pending: Extension[] = [];
  /** Body bytes of the current entry still to pass through. */
  private passing = 0;
  private ended = false;
  private lastPath = '(none yet)';

  constructor(private readonly rootName: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.mode === 'docker') return callback(null, chunk);
    try {
      if (this.mode === 'podman') this.rename(chunk);
      else this.hold(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.mode === 'undecided' && this.heldBytes > 0) {
      return callback(this.malformed('it ends before its first entry is complete'));
    }
    if (this.mode === 'podman' && !this.ended) {
      const midEntry = this.passing > 0 || this.extension || this.headerFill > 0 || this.pending.length > 0;
      const where = midEntry ? 'in the middle of an entry' : 'before its end-of-archive marker';
      return callback(this.malformed(`it ends ${where} (after ${this.lastPath})`));
    }
    callback();
  }

  private hold(chunk: Buffer): void {
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const form = this.firstEntryForm(this.held.length === 1 ? chunk : Buffer.concat(this.held));
    if (form === 'more') {
      if (this.heldBytes > 4 * MAX_META) throw this.malformed('its first entry does not start within 4 MiB');
      return;
    }
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    this.mode = form;
    if (form === 'docker') for (const part of held) this.push(part);
    else for (const part of held) this.rename(part);
  }

  /** Docker's form or Podman's, from the first entry's name (after any extended headers); 'more' if not read yet. */
  private firstEntryForm(buffer: Buffer): 'more' | 'docker' | 'podman' {
    let at = 0;
    let longPath: string | undefined;
    for (;;) {
      if (buffer.length < at + BLOCK) return 'more';
      const block = buffer.subarray(at, at + BLOCK);
      if (isZeroBlock(block)) return 'docker'; // an empty archive: nothing to rename
      if (!checksumValid(block)) throw this.malformed("its first header's checksum does not match");
      const type = String.fromCharCode(block[TYPEFLAG]!);
      if (!EXTENSIONS.has(type)) return (longPath ?? headerPath(block)) === '/' ? 'podman' : 'docker';
      const size = this.extensionSize(block);
      if (buffer.length < at + BLOCK + size) return 'more';
      const body = buffer.subarray(at + BLOCK, at + BLOCK + size);
      if (type === 'x') longPath = this.paxRecords(body).find(([key]) => key === 'path')?.[1] ?? longPath;
      if (type === 'L') longPath = cString(body);
      at += BLOCK + padded(size);
    }
  }

  /** Podman's form: walks the stream block by block, rewriting headers and passing bodies on. */
  private rename(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.ended) {
        this.push(at === 0 ? chunk : chunk.subarray(at)); // the end-of-archive blocks and any padding
        return;
      }
      if (this.passing > 0) {
        const n = Math.min(this.passing, chunk.length - at);
        this.push(chunk.subarray(at, at + n));
        this.passing -= n;
        at += n;
      } else if (this.extension) {
        const ext = this.extension;
        const n = Math.min(ext.body.length - ext.fill, chunk.length - at);
        chunk.copy(ext.body, ext.fill, at, at + n);
        ext.fill += n;
        at += n;
        if (ext.fill === ext.body.length) this.extensionRead();
      } else if (this.headerFill === 0 && chunk.length - at >= BLOCK) {
        this.onHeader(Buffer.from(chunk.subarray(at, at + BLOCK)));
        at += BLOCK;
      } else {
        const n = Math.min(BLOCK - this.headerFill, chunk.length - at);
        chunk.copy(this.header, this.headerFill, at, at + n);
        this.headerFill += n;
        at += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onHeader(Buffer.from(this.header));
        }
      }
    }
  }

  private onHeader(block: Buffer): void {
    if (isZeroBlock(block)) {
      if (this.pending.length > 0) throw this.malformed(`an extended header after ${this.lastPath} describes no entry`);
      this.ended = true;
      this.push(block);
      return;
    }
    if (!checksumValid(block)) throw this.malformed(`the header after ${this.lastPath} has a wrong checksum`);
    const type = String.fromCharCode(block[TYPEFLAG]!);
    if (EXTENSIONS.has(type)) {
      const size = this.extensionSize(block);
      this.extension = { block, type, size, body: Buffer.alloc(padded(size)), fill: 0 };
      if (size === 0) this.extensionRead();
    } else if (WITH_BODY.has(type) || HEADER_ONLY.has(type)) {
      this.entry(block, type);
    } else {
      throw this.malformed(
        `the entry after ${this.lastPath} has type ${JSON.stringify(type)}, which Volsnap does not read`,
      );
    }
  }

  private extensionRead(): void {
    const { block, type, size, body } = this.extension!;
    this.extension = null;
    if (type !== 'g' && this.pending.some((ext) => ext.type === type)) {
      throw this.malformed(`the entry after ${this.lastPath} has two extended headers of type ${type}`);
    }
    const held = this.pending.reduce((sum, ext) => sum + ext.body.length, size);
    if (held > MAX_META) throw this.malformed(`the extended headers after ${this.lastPath} exceed ${MAX_META} bytes`);
    this.pending.push({ block, type, body: body.subarray(0, size) });
  }

  /** Renames one entry (its header and the extended headers before it) and emits them. */
  private entry(block: Buffer, type: string): void {
    const find = (t: string) => this.pending.find((ext) => ext.type === t);
    const pax = find('x');
    const records = pax ? this.paxRecords(pax.body) : [];
    const record = (key: string) => records.find(([k]) => k === key);
    const added: [string, string][] = [];

    const path = this.renameName(
      {
        record: record('path'),
        long: find('L'),
        field: headerPath(block),
        paxKey: 'path',
        write: (value, truncate) => (truncate ? writePlaceholderPath(block, value) : writeHeaderPath(block, value)),
      },
      added,
    );
    // A hardlink's target is a path in the archive; a symlink's is a path in the container: kept.
    if (type === '1') {
      this.renameName(
        {
          record: record('linkpath'),
          long: find('K'),
          field: headerLinkname(block),
          paxKey: 'linkpath',
          write: (value, truncate) => writeLinkname(block, value, truncate),
        },
        added,
      );
    }
    writeChecksum(block);

    const sizeRecord = record('size')?.[1];
    const size = sizeRecord !== undefined ? Number(sizeRecord) : new Header(block).size;
    if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
      throw this.malformed(`entry ${path} has no valid size`);
    }
    if (pax) pax.body = encodePaxRecords([...records, ...added]);
    this.emitPending(path, pax || added.length === 0 ? null : encodePaxRecords(added));
    this.push(block);
    this.passing = WITH_BODY.has(type) ? padded(size) : 0;
    this.lastPath = path;
  }

  /** Writes the extended headers before their entry, with new sizes and checksums; `newPax` is added last. */
  private emitPending(entryPath: string, newPax: Buffer | null): void {
    const out: Extension[] = this.pending;
    this.pending = [];
    if (newPax) out.push({ block: paxHeaderBlock(entryPath, newPax.length), type: 'x', body: newPax });
    for (const ext of out) {
      const block = Buffer.from(ext.block);
      writeSize(block, ext.body.length);
      // A PAX header's own name is not read by anyone, but keep it under the volume's folder too.
      if (ext.type === 'x' && headerPath(block).startsWith('/')) {
        writePlaceholderPath(block, this.rootName + headerPath(block));
      }
      writeChecksum(block);
      this.push(block);
      this.push(ext.body);
      const padding = padded(ext.body.length) - ext.body.length;
      if (padding > 0) this.push(Buffer.alloc(padding));
    }
  }

  /** `/` → `<root>/`, `/x` → `<root>/x`; anything else in Podman's form is not from a volume's mount point. */
  private volumePath(tarPath: string): string {
    if (!tarPath.startsWith('/')) {
      throw this.malformed(`entry ${JSON.stringify(tarPath)} is not under the mount point "/" its first entry named`);
    }
    if (tarPath.split('/').includes('..'))
      throw this.malformed(`entry ${JSON.stringify(tarPath)} climbs out with ".."`);
    return this.rootName + tarPath;
  }

  /**
   * Renames one name of an entry (its path, or a hardlink's target) everywhere it is written: the
   * PAX record, the GNU long-name header, the header field; adds a PAX record to `added` when the
   * renamed value no longer fits the field. Returns the renamed value.
   */
  private renameName(name: NameSites, added: [string, string][]): string {
    const { record, long, field, write } = name;
    const override = record?.[1] ?? (long ? cString(long.body) : undefined);
    const renamed = this.volumePath(override ?? field);
    if (record) record[1] = this.volumePath(record[1]);
    if (long) long.body = Buffer.from(`${this.volumePath(cString(long.body))}\0`);
    if (override !== undefined) {
      // The field is then a truncated stand-in that readers ignore; still put under the volume's folder.
      if (field.startsWith('/')) write(this.rootName + field, true);
    } else if (!write(renamed, false)) {
      added.push([name.paxKey, renamed]);
      write(renamed, true);
    }
    return renamed;
  }

  private extensionSize(block: Buffer): number {
    const size = new Header(block).size;
    if (size === undefined || !Number.isSafeInteger(size) || size < 0 || size > MAX_META) {
      throw this.malformed(`an extended header after ${this.lastPath} has a size Volsnap does not accept (${size})`);
    }
    return size;
  }

  private paxRecords(body: Buffer): [string, string][] {
    try {
      return parsePaxRecords(body);
    } catch (error) {
      throw this.malformed(`the PAX header after ${this.lastPath} is malformed (${(error as Error).message})`);
    }
  }

  private malformed(detail: string): VolsnapError {
    return new VolsnapError(
      'Integrity',
      `The engine's archive of volume ${this.rootName} is malformed: ${detail}. Nothing was kept. ` +
        `Try again; if it happens again, the engine's archive endpoint is at fault (docs/decisions.md, "Podman's compatibility API").`,
    );
  }
}

/** A NUL-terminated string (a GNU long name's body). */
function cString(body: Buffer): string {
  const end = body.indexOf(0);
  return body.toString('utf8', 0, end === -1 ? body.length : end);
}
