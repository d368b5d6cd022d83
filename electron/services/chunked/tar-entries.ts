import { Header, Pax, ReadEntry } from 'tar';
import { VolsnapError } from '../../../shared/errors';
import type { ManifestEntry } from '../../../shared/types';
import { manifestRow, outsideVolume, type ManifestResult, type TarEntryFields } from '../manifest-tap';
import { MAX_META } from '../tar-header-fields';
import { readPlainHeader } from './plain-header';

const LINK_TYPES = new Set(['Link', 'SymbolicLink']);
const EXTENSION_TYPES = new Set(['ExtendedHeader', 'GlobalExtendedHeader']);

/** One header block read: how many body bytes follow it, and what they are. */
export interface TarHeaderRead {
  size: number;
  /** A regular file: its body is the content, to hash and then pass to `fileRead`. */
  file?: ManifestEntry;
  /** An extended header (PAX or GNU long name): pass its body to `extensionRead`. */
  extension: boolean;
}

/**
 * A volume's manifest built from the header blocks the tar splitter reads, so a capture reads each
 * header once: where a file's content starts and ends in the layout and what the manifest says of
 * it come from the same reading (capture ran node-tar's parser beside the splitter, two readings
 * of every header that nothing held to agree). Each header is decoded by node-tar's own Header and
 * ReadEntry, with the PAX and GNU extended headers before it applied as its Parser applies them,
 * so the rows are the ones ManifestTap makes for the same tar; what its strict parser refuses is
 * refused here too.
 */
export class TarEntries {
  private readonly entries: ManifestEntry[] = [];
  private contentBytes = 0;
  private ex: Pax | undefined;
  private gex: Pax | undefined;
  /** The extended header whose body comes next. */
  private pendingExtension: ReadEntry | undefined;

  constructor(private readonly rootName: string) {}

  get count(): number {
    return this.entries.length;
  }

  header(block: Buffer): TarHeaderRead {
    // The Engine's plain headers are read from their bytes; with extended headers before it (their
    // fields override the block's), or in any other shape, node-tar's Header reads the block.
    const plain = this.ex || this.gex ? undefined : readPlainHeader(block);
    if (plain) return this.entryRead(refuseInvalid(plain));
    const header = refuseInvalid(new Header(block, 0, this.ex, this.gex));
    const entry = new ReadEntry(header, this.ex, this.gex);
    if (entry.meta) {
      if (entry.size > MAX_META) throw malformed(`an extended header of ${entry.size} bytes`);
      this.pendingExtension = entry;
      return { size: entry.size, extension: true };
    }
    this.ex = undefined;
    if (entry.ignore) return { size: entry.size, extension: false };
    return this.entryRead(entry);
  }

  /** The body of the extended header just read (its `size` bytes, without padding). */
  extensionRead(body: Buffer): void {
    const type = this.pendingExtension?.type;
    this.pendingExtension = undefined;
    const text = body.toString('utf8');
    if (type === 'ExtendedHeader' || type === 'OldExtendedHeader') this.ex = Pax.parse(text, this.ex, false);
    else if (type === 'GlobalExtendedHeader') this.gex = Pax.parse(text, this.gex, true);
    else if (type === 'NextFileHasLongPath' || type === 'OldGnuLongPath') this.longName('path', text);
    else if (type === 'NextFileHasLongLinkpath') this.longName('linkpath', text);
  }

  /** An entry of the volume: refused if outside the volume's folder, else its row. */
  private entryRead(entry: TarEntryFields): TarHeaderRead {
    const outside = outsideVolume(entry, this.rootName);
    if (outside) throw outside;
    const row = manifestRow(entry, this.rootName);
    if (row.type !== 'file') this.entries.push(row);
    return { size: entry.size, extension: false, file: row.type === 'file' ? row : undefined };
  }

  /** A file's content has been read: its row goes in, in tar order, with the content's sha256. */
  fileRead(row: ManifestEntry, sha256: string): void {
    row.sha256 = sha256;
    this.contentBytes += row.size;
    this.entries.push(row);
  }

  result(tarBytes: number): ManifestResult {
    if (this.entries.length === 0) throw malformed('no entries');
    const fileCount = this.entries.filter((e) => e.type === 'file').length;
    return { entries: this.entries, contentBytes: this.contentBytes, fileCount, tarBytes };
  }

  private longName(key: 'path' | 'linkpath', text: string): void {
    this.ex ??= Object.create(null) as Pax;
    this.ex[key] = text.replace(/\0.*/, '');
  }
}

/** What `invalid` looks at: node-tar's Header, or the same fields read by plain-header.ts. */
type HeaderFields = Pick<Header, 'cksumValid' | 'path' | 'type' | 'linkpath'>;

/** The header, unless node-tar's strict parser would refuse it. */
function refuseInvalid<T extends HeaderFields>(header: T): T {
  const problem = invalid(header);
  if (problem) throw malformed(problem);
  return header;
}

/** Why node-tar's strict parser would refuse this header, if it would. */
function invalid(header: HeaderFields): string | undefined {
  if (!header.cksumValid) return 'a header checksum failure';
  if (!header.path) return 'an entry without a path';
  const type = header.type;
  if (LINK_TYPES.has(type) && !header.linkpath) return `a link without a target (${header.path})`;
  if (!LINK_TYPES.has(type) && !EXTENSION_TYPES.has(type) && header.linkpath) {
    return `a link target on an entry that is not a link (${header.path})`;
  }
  return undefined;
}

function malformed(detail: string): VolsnapError {
  return new VolsnapError('Integrity', `The volume archive is malformed (${detail}); nothing was stored.`);
}
