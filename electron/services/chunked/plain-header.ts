import type { Header } from 'tar';
import { checksum, TYPEFLAG } from '../tar-header-fields';

/**
 * The fields of a tar header block that a manifest row needs, read straight from the bytes when the
 * block has the plain shape the Engine writes (POSIX ustar, octal numbers, ASCII names padded with
 * NULs); undefined for anything else, which node-tar's Header then reads. node-tar decodes every
 * field through a slice, a string, a regular expression and parseInt: 8 µs a header, 0.16 s of a
 * re-capture of 20,000 small files, where the rest of each file's work is hashing a few KiB. The
 * values are node-tar's for the same block (plain-header.test.ts compares them on real and mangled
 * headers): anything that could decode differently (a non-ASCII byte, a backslash, which node-tar
 * turns into "/" on Windows, bytes after a field's NUL, a base-256 number) is left to node-tar.
 */
export interface PlainHeader {
  /** node-tar's type name ('File', 'Directory', 'SymbolicLink', 'Link'). */
  type: Header['type'];
  path: string;
  /** '' when the field is empty, as node-tar's Header has it. */
  linkpath: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  cksumValid: boolean;
}

const TYPES: Record<number, Header['type']> = { 0x30: 'File', 0x31: 'Link', 0x32: 'SymbolicLink', 0x35: 'Directory' };
const USTAR = Buffer.from('ustar\u000000', 'latin1');
const NUL = 0;
const SPACE = 0x20;
const BACKSLASH = 0x5c;

export function readPlainHeader(block: Buffer): PlainHeader | undefined {
  const type = TYPES[block[TYPEFLAG]!];
  if (type === undefined || block.compare(USTAR, 0, 8, 257, 265) !== 0) return undefined;
  const name = text(block, 0, 100);
  const linkpath = text(block, 157, 100);
  // node-tar reads 155 prefix bytes when the last of them is set, else 130 (and times after them).
  const prefix = block[475] === NUL ? text(block, 345, 130) : text(block, 345, 155);
  const mode = octal(block, 100, 8);
  const uid = octal(block, 108, 8);
  const gid = octal(block, 116, 8);
  const size = octal(block, 124, 12);
  const mtime = octal(block, 136, 12);
  const cksum = octal(block, 148, 12);
  if (name === undefined || linkpath === undefined || prefix === undefined || name === '') return undefined;
  if (mode === undefined || uid === undefined || gid === undefined || size === undefined) return undefined;
  if (mtime === undefined || cksum === undefined) return undefined;
  // node-tar reads an old-style "file" ending in "/" as a folder, and gives a folder no body.
  if (type === 'File' && name.endsWith('/')) return undefined;
  if (type === 'Directory' && size !== 0) return undefined;
  return {
    type,
    path: prefix ? `${prefix}/${name}` : name,
    linkpath,
    size,
    mode,
    uid,
    gid,
    mtime: new Date(mtime * 1000),
    // node-tar sums the bytes unsigned only.
    cksumValid: checksum(block) === cksum,
  };
}

/** A NUL-padded ASCII field; undefined if it has other bytes after its end, non-ASCII or a backslash. */
function text(block: Buffer, offset: number, length: number): string | undefined {
  const stop = offset + length;
  let end = offset;
  while (end < stop && block[end] !== NUL) {
    const byte = block[end]!;
    if (byte >= 0x80 || byte === BACKSLASH) return undefined;
    end++;
  }
  for (let i = end; i < stop; i++) if (block[i] !== NUL) return undefined;
  return block.toString('latin1', offset, end);
}

/**
 * An octal number as node-tar reads it (spaces, then the digits up to the first other byte);
 * undefined when the field does not start that way (empty, base-256, a sign, other blanks).
 */
function octal(block: Buffer, offset: number, length: number): number | undefined {
  const stop = offset + length;
  let at = offset;
  while (at < stop && block[at] === SPACE) at++;
  let value = 0;
  const first = at;
  for (; at < stop; at++) {
    const digit = block[at]! - 0x30;
    if (digit < 0 || digit > 7) break;
    value = value * 8 + digit;
  }
  return at === first ? undefined : value;
}
