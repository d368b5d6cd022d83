import { Header } from 'tar';

// Byte-level edits of a tar header block (POSIX ustar layout) and of PAX extended-header records,
// for volume-tar-names.ts. Only the fields a rename touches are rewritten; every other byte of the
// Engine's header is kept as it came (GNU and v7 headers included).

export const BLOCK = 512;

/**
 * The largest extended header (PAX or GNU long name) body read into memory: node-tar's own limit
 * (it skips a longer one). Capture and the Podman renaming refuse a longer one.
 */
export const MAX_META = 1024 * 1024;
const NAME = { offset: 0, size: 100 };
const SIZE = { offset: 124, size: 12 };
const CHECKSUM = { offset: 148, size: 8 };
export const TYPEFLAG = 156;
const LINKNAME = { offset: 157, size: 100 };
const PREFIX = { offset: 345, size: 155 };

/** Bytes a tar entry body of `size` bytes occupies, padding included. */
export function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** POSIX ustar (not GNU's `ustar  `, whose prefix area holds other fields): only it has a path prefix. */
export function hasPrefixField(block: Buffer): boolean {
  return block.toString('latin1', 257, 263) === 'ustar\0';
}

/** The path in the header itself: prefix + "/" + name for POSIX ustar, else the name field. */
export function headerPath(block: Buffer): string {
  const name = field(block, NAME);
  const prefix = hasPrefixField(block) ? field(block, PREFIX) : '';
  return prefix ? `${prefix}/${name}` : name;
}

export function headerLinkname(block: Buffer): string {
  return field(block, LINKNAME);
}

/**
 * Writes `path` into the name (and, for POSIX ustar, prefix) field, split as Go's archive/tar does.
 * Returns false, leaving the block untouched, when it does not fit: it then needs a PAX record.
 */
export function writeHeaderPath(block: Buffer, path: string): boolean {
  const split = splitPath(path, hasPrefixField(block));
  if (!split) return false;
  setField(block, NAME, split.name);
  if (hasPrefixField(block)) setField(block, PREFIX, split.prefix);
  return true;
}

/** Writes a name that a PAX `path` or GNU long name overrides: whatever fits, as Go truncates it. */
export function writePlaceholderPath(block: Buffer, path: string): true {
  if (writeHeaderPath(block, path)) return true;
  setField(block, NAME, path);
  if (hasPrefixField(block)) setField(block, PREFIX, '');
  return true;
}

/** Writes the link name field; false when `target` is longer than the field. */
export function writeLinkname(block: Buffer, target: string, truncate = false): boolean {
  if (Buffer.byteLength(target) > LINKNAME.size && !truncate) return false;
  setField(block, LINKNAME, target);
  return true;
}

/** Rewrites the size field of an extended header (its body is at most a few MiB: octal fits). */
export function writeSize(block: Buffer, size: number): void {
  block.fill(0, SIZE.offset, SIZE.offset + SIZE.size);
  block.write(size.toString(8).padStart(11, '0'), SIZE.offset, 'latin1');
}

/** True when the block's checksum field matches its bytes (signed or unsigned sum, as readers accept). */
export function checksumValid(block: Buffer): boolean {
  const stored = parseInt(block.toString('latin1', CHECKSUM.offset, CHECKSUM.offset + CHECKSUM.size).trim(), 8);
  return stored === checksum(block) || stored === checksum(block, true);
}

/** Recomputes the checksum after an edit, in the usual "six octal digits, NUL, space" form. */
export function writeChecksum(block: Buffer): void {
  block.write(`${checksum(block).toString(8).padStart(6, '0')}\0 `, CHECKSUM.offset, 'latin1');
}

/** The header's checksum as computed from its bytes (the checksum field counted as spaces). */
export function checksum(block: Buffer, signed = false): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= CHECKSUM.offset && i < CHECKSUM.offset + CHECKSUM.size) continue;
    const byte = block[i]!;
    sum += signed && byte > 127 ? byte - 256 : byte;
  }
  return sum;
}

/** A new PAX extended header block ('x') for a body of `size` bytes, checksummed. */
export function paxHeaderBlock(entryPath: string, size: number): Buffer {
  const header = new Header({
    path: `PaxHeaders/${entryPath.split('/').filter(Boolean).pop() ?? 'entry'}`.slice(0, 99),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: new Date(0),
    type: 'ExtendedHeader',
  });
  header.encode();
  return header.block!;
}

/** PAX records in order, as [keyword, value]; throws a plain Error (the caller words it) when malformed. */
export function parsePaxRecords(body: Buffer): [string, string][] {
  const records: [string, string][] = [];
  let at = 0;
  // A body is records back to back; NUL padding may follow the last one.
  while (at < body.length && body[at] !== 0) {
    const space = body.indexOf(0x20, at);
    const length = space > at ? Number(body.toString('latin1', at, space)) : NaN;
    if (!Number.isInteger(length) || length <= space - at + 1 || at + length > body.length) {
      throw new Error(`bad PAX record length at offset ${at}`);
    }
    const record = body.subarray(space + 1, at + length);
    const equals = record.indexOf(0x3d);
    if (equals <= 0 || record[record.length - 1] !== 0x0a) throw new Error(`bad PAX record at offset ${at}`);
    records.push([record.toString('utf8', 0, equals), record.toString('utf8', equals + 1, record.length - 1)]);
    at += length;
  }
  return records;
}

/** The PAX body for `records` ("<length> <keyword>=<value>\n", the length counting itself). */
export function encodePaxRecords(records: [string, string][]): Buffer {
  return Buffer.concat(
    records.map(([key, value]) => {
      const rest = Buffer.byteLength(` ${key}=${value}\n`);
      let length = rest + String(rest).length;
      while (rest + String(length).length !== length) length = rest + String(length).length;
      return Buffer.from(`${length} ${key}=${value}\n`, 'utf8');
    }),
  );
}

function field(block: Buffer, where: { offset: number; size: number }): string {
  const bytes = block.subarray(where.offset, where.offset + where.size);
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end === -1 ? bytes.length : end);
}

function setField(block: Buffer, where: { offset: number; size: number }, value: string): void {
  block.fill(0, where.offset, where.offset + where.size);
  // Buffer.write stops before a character that would not fit whole.
  block.write(value, where.offset, where.size, 'utf8');
}

/** Go's splitUSTARPath: name ≤ 100 bytes, or prefix ≤ 155 and name ≤ 100 split at a "/". */
function splitPath(path: string, prefixAllowed: boolean): { name: string; prefix: string } | null {
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length <= NAME.size) return { name: path, prefix: '' };
  if (!prefixAllowed) return null;
  let limit = Math.min(bytes.length, PREFIX.size + 1);
  if (bytes[limit - 1] === 0x2f) limit--;
  const slash = bytes.subarray(0, limit).lastIndexOf(0x2f);
  const nameLength = bytes.length - slash - 1;
  if (slash <= 0 || nameLength === 0 || nameLength > NAME.size || slash > PREFIX.size) return null;
  return { prefix: bytes.toString('utf8', 0, slash), name: bytes.toString('utf8', slash + 1) };
}
