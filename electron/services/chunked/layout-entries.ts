import { Header } from 'tar';
import { BLOCK, TYPEFLAG, headerPath, isZeroBlock, padded, parsePaxRecords } from '../tar-header-fields';
import { relativeTarPath } from '../manifest-tap';
import type { TarLayout } from './tar-layout';
import { VolsnapError } from '../../../shared/errors';

/** One tar entry of a format 2 layout: its path relative to the volume, its type flag, and its chunks if it has contents. */
export interface LayoutEntry {
  path: string;
  /** The tar type flag ('0' a file, '5' a folder, '2' a symlink, …). */
  type: string;
  /** Set for a regular file's entry: the layout part holding its chunk list. */
  file?: NonNullable<TarLayout['parts'][number]['file']>;
}

/**
 * Every entry of a layout, in tar order, read from the headers kept in its `meta` (small and
 * local): no chunk is read. The layout is what the Engine wrote, so the names are worked out as a
 * tar reader works them out: a PAX `path` record or a GNU long name before a header overrides it.
 */
export function layoutEntries(layout: TarLayout, rootName: string): LayoutEntry[] {
  const entries: LayoutEntry[] = [];
  // A part's meta starts with the padding after the previous part's file contents.
  let skip = 0;
  for (const part of layout.parts) {
    const headers = new HeaderWalk(part.meta, skip, rootName);
    for (let entry = headers.next(); entry; entry = headers.next()) {
      const last = headers.atEnd();
      if (last && part.file) entries.push({ ...entry, file: part.file });
      else entries.push(entry);
    }
    skip = part.file ? padded(part.file.size) - part.file.size : 0;
  }
  const tail = new HeaderWalk(layout.tail, skip, rootName);
  for (let entry = tail.next(); entry; entry = tail.next()) entries.push(entry);
  return entries;
}

/** Walks the headers in one stretch of kept tar bytes; a file's header ends its part (no body follows). */
class HeaderWalk {
  private overridePath: string | undefined;
  private paxSize: number | undefined;

  constructor(
    private readonly bytes: Buffer,
    private at: number,
    private readonly rootName: string,
  ) {}

  atEnd(): boolean {
    return this.at >= this.bytes.length;
  }

  next(): { path: string; type: string } | null {
    while (this.at + BLOCK <= this.bytes.length) {
      const block = this.bytes.subarray(this.at, this.at + BLOCK);
      if (isZeroBlock(block)) return null;
      this.at += BLOCK;
      const type = String.fromCharCode(block[TYPEFLAG]!);
      const size = this.paxSize ?? new Header(block).size ?? 0;
      // A file's header is the last block of its part: its contents are chunks, not bytes here.
      const body = this.bytes.subarray(this.at, Math.min(this.at + size, this.bytes.length));
      this.at = Math.min(this.at + padded(size), this.bytes.length);
      if (type === 'x' || type === 'L') {
        this.extension(type, body);
        continue;
      }
      if (type === 'g' || type === 'K') continue;
      const tarPath = this.overridePath ?? headerPath(block);
      this.overridePath = undefined;
      this.paxSize = undefined;
      return { path: relativeTarPath(tarPath, this.rootName), type };
    }
    return null;
  }

  private extension(type: string, body: Buffer): void {
    if (type === 'L') {
      const end = body.indexOf(0);
      this.overridePath = body.toString('utf8', 0, end === -1 ? body.length : end);
      return;
    }
    let records: [string, string][];
    try {
      records = parsePaxRecords(body);
    } catch (error) {
      throw new VolsnapError(
        'Integrity',
        `A stored volume layout has a malformed PAX header (${(error as Error).message}). Run \`volsnap verify\` to see which snapshots are affected.`,
      );
    }
    for (const [key, value] of records) {
      if (key === 'path') this.overridePath = value;
      if (key === 'size') this.paxSize = Number(value);
    }
  }
}
