import { describe, expect, it } from 'vitest';
import { parseBundleDoc } from './bundle-doc';
import { docOf } from './bundle-forge.test-util';
import { docEntry, fillStreamSha256s, UNMEASURED } from './bundle-writer';
import type { ManifestEntry } from '../../../shared/types';

// Every rule of a volsnap.json manifest entry: a sound entry passes as it is, and each broken rule
// is refused with the entry and the field it breaks.
const sound: ManifestEntry[] = [
  { path: '.', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 1, sha256: null, linkTarget: null },
  { path: 'a', type: 'file', size: 1, mode: 0o644, uid: 1, gid: 2, mtime: 1, sha256: 'a'.repeat(64), linkTarget: null },
];
const withSecond = (change: (entry: Record<string, unknown>) => void): Buffer => {
  const doc = docOf([{ name: 'data', manifest: structuredClone(sound), stream: Buffer.from('x') }]);
  change(doc.volumes[0]!.manifest[1] as unknown as Record<string, unknown>);
  return Buffer.from(JSON.stringify(doc));
};

describe('volsnap.json manifest entries', () => {
  it('accepts a sound manifest as it is', () => {
    expect(parseBundleDoc(withSecond(() => undefined)).volumes[0]!.manifest).toEqual(sound);
  });

  const bad: [string, (entry: Record<string, unknown>) => void, RegExp][] = [
    ['an empty path', (e) => (e.path = ''), /manifest\.1\.path/],
    ['a NUL in the path', (e) => (e.path = 'a\0b'), /manifest\.1\.path: contains a NUL byte/],
    ['a path over 4000 bytes (in UTF-8)', (e) => (e.path = 'é'.repeat(2001)), /manifest\.1\.path: is longer/],
    ['an unknown type', (e) => (e.type = 'fifo'), /manifest\.1\.type/],
    ['a negative size', (e) => (e.size = -1), /manifest\.1\.size/],
    ['a fractional size', (e) => (e.size = 1.5), /manifest\.1\.size/],
    ['a size as text', (e) => (e.size = '1'), /manifest\.1\.size/],
    ['a size past 16 TiB', (e) => (e.size = 2 ** 44 + 1), /manifest\.1\.size/],
    ['a mode past 0o7777', (e) => (e.mode = 0o10000), /manifest\.1\.mode/],
    ['a uid past 2^32-1', (e) => (e.uid = 2 ** 32), /manifest\.1\.uid/],
    ['a negative gid', (e) => (e.gid = -1), /manifest\.1\.gid/],
    ['an mtime past 2^40', (e) => (e.mtime = 2 ** 40 + 1), /manifest\.1\.mtime/],
    ['an upper-case sha256', (e) => (e.sha256 = 'A'.repeat(64)), /manifest\.1\.sha256: is not a sha256/],
    ['a short sha256', (e) => (e.sha256 = 'a'.repeat(63)), /manifest\.1\.sha256: is not a sha256/],
    ['an empty link target', (e) => (e.linkTarget = ''), /manifest\.1\.linkTarget/],
    ['a missing field', (e) => delete e.mtime, /manifest\.1\.mtime/],
    ['an extra field', (e) => (e.extra = 1), /manifest\.1: Unrecognized key/],
  ];
  it.each(bad)('refuses %s, naming the field', (_name, change, expected) => {
    expect(() => parseBundleDoc(withSecond(change))).toThrow(expected);
  });

  it('refuses an entry that is not an object', () => {
    const doc = JSON.parse(withSecond(() => undefined).toString()) as { volumes: { manifest: unknown[] }[] };
    doc.volumes[0]!.manifest[1] = ['a'];
    expect(() => parseBundleDoc(Buffer.from(JSON.stringify(doc)))).toThrow(/malformed at volumes\.0\.manifest\.1/);
  });
});

describe("volsnap.json's stream sha256s filled in place (an export to a file)", () => {
  it('writes each at its own stream, past file paths and hashes that look like the place', () => {
    // A file whose path spells the key the fill looks for, with a hash of zeros like the placeholder.
    const decoy: ManifestEntry = {
      ...sound[1]!,
      path: '"stream":{"entry":"volumes/0-data.tar.zst","sha256":"',
      sha256: UNMEASURED,
    };
    const doc = docOf([
      { name: 'data', manifest: [...sound, decoy], stream: Buffer.from('x') },
      { name: 'logs', manifest: structuredClone(sound), stream: Buffer.from('y') },
    ]);
    const measured = doc.volumes.map((v) => v.stream.sha256);
    for (const volume of doc.volumes) volume.stream.sha256 = UNMEASURED;
    const entry = docEntry(doc);
    fillStreamSha256s(entry, doc, measured);
    expect(entry).toEqual(docEntry(doc));
    const written = parseBundleDoc(Buffer.from(JSON.stringify(doc)));
    expect(written.volumes.map((v) => v.stream.sha256)).toEqual(measured);
    expect(written.volumes[0]!.manifest[2]).toEqual(decoy);
  });

  it('refuses a document without the place, or a value that is not a sha256', () => {
    const doc = docOf([{ name: 'data', manifest: structuredClone(sound), stream: Buffer.from('x') }]);
    const measured = doc.volumes[0]!.stream.sha256;
    expect(() => fillStreamSha256s(docEntry(doc), doc, [measured])).toThrow(/no place for the sha256/);
    doc.volumes[0]!.stream.sha256 = UNMEASURED;
    expect(() => fillStreamSha256s(docEntry(doc), doc, ['z'.repeat(64)])).toThrow(/no place for the sha256/);
  });
});
