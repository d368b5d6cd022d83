import { Transform, type TransformCallback } from 'node:stream';
import { Header, Parser, Pax, type ReadEntry } from 'tar';
import { assertNameFits, refused } from './bundle-format';
import { padding } from './bundle-writer';

/** Entry types another tool's volume archive may hold; anything else (GNU dumpdirs, sparse files…) is refused. */
const KNOWN_TYPES = new Set([
  'File',
  'OldFile',
  'ContiguousFile',
  'Directory',
  'SymbolicLink',
  'Link',
  'CharacterDevice',
  'BlockDevice',
  'FIFO',
]);

/** The top folder vackup and the Volumes Backup & Share extension put a volume under. */
const VACKUP_FOLDER = 'vackup-volume';

/**
 * Rewrites another tool's volume tar into the layout Volsnap stores: every entry under
 * `<volume>/`, the volume root first. Accepted layouts: `vackup-volume/…` (vackup, the Volumes
 * Backup & Share extension), `./…` (`tar -C dir .`: docker-volume-snapshot) and bare names (a
 * root entry is then made: 0755, owned by root). Absolute paths, NUL bytes, over-long names and
 * unknown entry types are refused here; everything else (`..`, links, order, duplicates, special
 * files) is left exactly as found for the restore entry checks that run on the result.
 */
export class ForeignLayout extends Transform {
  private readonly parser: Parser;
  private prefix: string | null = null;
  /** The entry paused because our reader is full; `_read` resumes it. */
  private paused: ReadEntry | null = null;
  private failure: Error | null = null;
  private readonly ended: Promise<void>;

  constructor(private readonly volumeName: string) {
    super();
    this.parser = new Parser({ strict: true, onReadEntry: (entry) => this.rewrite(entry) });
    this.parser.on('warn', (_code: string, message: string | Error) =>
      this.fail(refused(`it is not a readable tar (${message instanceof Error ? message.message : message})`)),
    );
    this.ended = new Promise((resolve, reject) => {
      this.parser.on('end', () => resolve());
      this.parser.on('error', reject);
    });
    this.ended.catch(() => undefined);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failure) return callback(this.failure);
    if (this.parser.write(chunk)) callback(this.failure);
    else this.parser.once('drain', () => callback(this.failure));
  }

  override _flush(callback: TransformCallback): void {
    this.parser.end();
    this.ended.then(
      () => {
        if (this.failure) return callback(this.failure);
        if (this.prefix === null) return callback(refused('it holds no entries'));
        this.push(Buffer.alloc(1024));
        callback();
      },
      (error: Error) => callback(this.failure ?? error),
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
  }

  private rewrite(entry: ReadEntry): void {
    if (this.failure) return void entry.resume();
    try {
      if (!KNOWN_TYPES.has(entry.type)) throw refused(`${JSON.stringify(entry.path)} is a ${entry.type} entry`);
      const path = this.mapPath(entry.path, true);
      const linkpath = entry.type === 'Link' ? this.mapPath(entry.linkpath ?? '', false) : entry.linkpath;
      const size =
        entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile' ? entry.size : 0;
      this.push(header({ entry, path: entry.type === 'Directory' ? `${path}/` : path, linkpath, size }));
    } catch (error) {
      this.fail(error as Error);
      return void entry.resume();
    }
    entry.on('data', (chunk: Buffer) => {
      if (this.push(chunk)) return;
      this.paused = entry;
      entry.pause();
    });
    entry.on('end', () => this.push(padding(entry.size)));
  }

  override _read(size: number): void {
    const paused = this.paused;
    this.paused = null;
    paused?.resume();
    super._read(size);
  }

  /** `<volume>/<path inside the volume>`; `..` is kept for the entry checks to refuse with the restore's words. */
  private mapPath(raw: string, first: boolean): string {
    if (raw.includes('\0')) throw refused(`a name in it contains a NUL byte`);
    if (raw.startsWith('/')) throw refused(`${JSON.stringify(raw)} is an absolute path`);
    const trimmed = raw.replace(/\/+$/, '').replace(/^(\.\/)+/, '');
    if (this.prefix === null && first) this.prefix = this.detectPrefix(trimmed);
    let rel: string;
    if (this.prefix === VACKUP_FOLDER) {
      if (trimmed === VACKUP_FOLDER) rel = '';
      else if (trimmed.startsWith(`${VACKUP_FOLDER}/`)) rel = trimmed.slice(VACKUP_FOLDER.length + 1);
      else throw refused(`${JSON.stringify(raw)} lies outside the archive's top folder ${VACKUP_FOLDER}/`);
    } else {
      rel = trimmed === '.' ? '' : trimmed;
    }
    assertNameFits(rel);
    return rel === '' ? this.volumeName : `${this.volumeName}/${rel}`;
  }

  /** From the first entry: vackup's folder, `./`, or bare names (then the volume root is made here). */
  private detectPrefix(first: string): string {
    if (first === VACKUP_FOLDER || first.startsWith(`${VACKUP_FOLDER}/`)) return VACKUP_FOLDER;
    if (first === '.' || first === '') return '.';
    this.push(header({ path: `${this.volumeName}/`, size: 0 }));
    return '';
  }
}

function header(fields: { entry?: ReadEntry; path: string; linkpath?: string | undefined; size: number }): Buffer {
  const { entry } = fields;
  const all = {
    path: fields.path,
    mode: entry ? entry.mode : 0o755,
    uid: entry?.uid ?? 0,
    gid: entry?.gid ?? 0,
    size: fields.size,
    mtime: entry?.mtime ?? new Date(),
    type: entry?.type ?? 'Directory',
    linkpath: fields.linkpath,
    uname: entry?.uname,
    gname: entry?.gname,
    devmaj: entry?.header.devmaj,
    devmin: entry?.header.devmin,
  };
  const block = new Header(all);
  if (!block.encode()) return block.block!;
  const pax = new Pax({
    path: all.path,
    linkpath: all.linkpath,
    size: all.size,
    uid: all.uid,
    gid: all.gid,
    mtime: all.mtime,
  });
  return Buffer.concat([pax.encode(), block.block!]);
}
