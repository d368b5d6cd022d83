import { Header } from 'tar';
import { describe, expect, it } from 'vitest';
import { seededBytes } from '../../../test/seeded-bytes';
import { writeChecksum } from '../tar-header-fields';
import { readPlainHeader, type PlainHeader } from './plain-header';

// Capture reads the Engine's plain headers without node-tar (plain-header.ts). These tests hold
// what it reads to what node-tar's Header reads from the same block, on headers shaped as the
// Engine writes them and on tens of thousands of mangled ones.

/** node-tar's reading of a block, in readPlainHeader's terms. */
function nodeTar(block: Buffer): PlainHeader {
  const header = new Header(block);
  return {
    type: header.type,
    path: header.path!,
    linkpath: header.linkpath ?? '',
    size: header.size!,
    mode: header.mode!,
    uid: header.uid!,
    gid: header.gid!,
    mtime: header.mtime!,
    cksumValid: header.cksumValid,
  };
}

/** A header as Go's archive/tar writes the Engine's: ustar, zero-padded octal with type bits in the mode. */
function engineBlock(fields: {
  path: string;
  type: Header['type'];
  size?: number;
  linkpath?: string;
  mode?: number;
}): Buffer {
  const header = new Header({ uid: 0, gid: 0, mtime: new Date(1_530_461_745_000), size: 0, ...fields, mode: 0 });
  header.encode();
  const block = header.block!;
  const octal = (offset: number, width: number, value: number) =>
    block.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, 'latin1');
  octal(100, 8, fields.mode ?? 0o100644);
  octal(108, 8, 1000);
  octal(116, 8, 1000);
  octal(124, 12, fields.size ?? 0);
  writeChecksum(block);
  return block;
}

const ENGINE_HEADERS = [
  engineBlock({ path: 'vol/', type: 'Directory', mode: 0o40755 }),
  engineBlock({ path: 'vol/blob1.bin', type: 'File', size: 167_772_160 }),
  engineBlock({ path: 'vol/src/d39/file19999.txt', type: 'File', size: 2_365 }),
  engineBlock({ path: 'vol/empty', type: 'File' }),
  engineBlock({ path: 'vol/largest octal size', type: 'File', size: 8 ** 11 - 1 }),
  engineBlock({ path: 'vol/link', type: 'SymbolicLink', linkpath: '../target with spaces', mode: 0o120777 }),
  engineBlock({ path: 'vol/hard', type: 'Link', linkpath: 'vol/blob1.bin' }),
  // Longer than the name field: node-tar, as Go, splits it into prefix and name.
  engineBlock({ path: `vol/${'nested/'.repeat(20)}file.txt`, type: 'File', size: 12 }),
  engineBlock({ path: `vol/${'n'.repeat(150)}/file`, type: 'File', size: 1 }),
];

describe('readPlainHeader', () => {
  it('reads the headers the Engine writes, as node-tar reads them', () => {
    for (const block of ENGINE_HEADERS) {
      const plain = readPlainHeader(block);
      expect(plain, new Header(block).path).toBeDefined();
      expect(plain).toEqual(nodeTar(block));
      expect(plain!.cksumValid).toBe(true);
    }
  });

  it('reports a checksum that does not match, as node-tar does', () => {
    const block = Buffer.from(ENGINE_HEADERS[2]!);
    block[10] = block[10]! ^ 1;
    expect(readPlainHeader(block)).toEqual(nodeTar(block));
    expect(readPlainHeader(block)!.cksumValid).toBe(false);
  });

  it('leaves to node-tar every block it might read differently', () => {
    const edits: [string, (block: Buffer) => void][] = [
      ['a non-ASCII name', (b) => b.write('vol/ünï', 0, 'utf8')],
      ['a backslash, which node-tar makes "/" on Windows', (b) => b.write('vol\\x', 0, 'latin1')],
      ['bytes after the name’s NUL', (b) => b.write('x', 60, 'latin1')],
      ['a base-256 size', (b) => (b[124] = 0x80)],
      ['a size field of blanks', (b) => b.write('           \0', 124, 'latin1')],
      ['a tab before a number', (b) => b.write('\t000644\0', 100, 'latin1')],
      ['GNU magic', (b) => b.write('ustar  \0', 257, 'latin1')],
      ['an extended header', (b) => (b[156] = 0x78)],
      ['a device', (b) => (b[156] = 0x33)],
      ['an old-style file (type NUL)', (b) => (b[156] = 0)],
      ['an empty name', (b) => b.fill(0, 0, 100)],
      ['a file named as a folder', (b) => b.write('vol/dir/\0', 0, 'latin1')],
    ];
    for (const [what, edit] of edits) {
      const block = Buffer.from(ENGINE_HEADERS[2]!);
      edit(block);
      writeChecksum(block);
      expect(readPlainHeader(block), what).toBeUndefined();
    }
  });

  it('never reads a mangled block differently from node-tar', () => {
    // Seeded: the same mangled blocks every run. Bytes are set in the fields node-tar decodes,
    // from a pool weighted towards what changes a reading (NUL, space, digits, "/", high bytes).
    const draws = seededBytes('plain-header mangling', 4 * 400_000);
    let drawn = 0;
    const random = (n: number) => draws.readUInt32LE((drawn++ * 4) % draws.length) % n;
    const pool = [0, 0, 0x20, 0x20, 0x30, 0x37, 0x38, 0x2f, 0x5c, 0x0a, 0x09, 0x80, 0xc3, 0xff, 0x61, 0x2b];
    let read = 0;
    for (let i = 0; i < 40_000; i++) {
      const block = Buffer.from(ENGINE_HEADERS[random(ENGINE_HEADERS.length)]!);
      for (let edits = 1 + random(3); edits > 0; edits--) block[random(500)] = pool[random(pool.length)]!;
      if (random(2) === 0) writeChecksum(block);
      const plain = readPlainHeader(block);
      if (!plain) continue;
      read++;
      // node-tar throws on a base-256 time or device number beyond 2^53, in fields no row uses,
      // which are not read here: such a block is read, with the fields node-tar would have read.
      let expected: PlainHeader;
      try {
        expected = nodeTar(block);
      } catch {
        const readable = Buffer.from(block);
        readable.fill(0x30, 329, 345);
        // Times follow a prefix of 130 bytes only (node-tar's reading, as in plain-header.ts).
        if (readable[475] === 0) readable.fill(0x30, 476, 500);
        expected = { ...nodeTar(readable), cksumValid: plain.cksumValid };
      }
      expect(plain, `block ${i}`).toEqual(expected);
    }
    // Many edits land where they change nothing node-tar could read differently: those are read here.
    expect(read).toBeGreaterThan(5_000);
  });
});
