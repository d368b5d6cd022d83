import { describe, expect, it } from 'vitest';
import { buildFileDiff } from './file-diff';
import { diffManifests, oneSidedVolumeDiff, volumeDiff } from './manifest-diff';
import { pairVolumes } from './volume-pairs';
import type { ManifestEntry } from '../../../shared/types';

function entry(path: string, fields: Partial<ManifestEntry> = {}): ManifestEntry {
  const type = fields.type ?? 'file';
  return {
    path,
    type,
    size: type === 'file' ? 3 : 0,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 1_700_000_000,
    sha256: type === 'file' ? 'aaa' : null,
    linkTarget: null,
    ...fields,
  };
}

const base = [
  entry('.', { type: 'dir', mode: 0o755 }),
  entry('keep.txt'),
  entry('edit.txt'),
  entry('chmod.txt'),
  entry('chown.txt'),
  entry('link-me.txt'),
  entry('gone.txt', { size: 10 }),
  entry('dir', { type: 'dir', mode: 0o755 }),
];

describe('diffManifests', () => {
  it('reports each kind of change once, and nothing for untouched entries or mtimes', () => {
    const after = [
      entry('.', { type: 'dir', mode: 0o755, mtime: 1 }),
      entry('keep.txt', { mtime: 1 }),
      entry('edit.txt', { sha256: 'bbb', size: 5 }),
      entry('chmod.txt', { mode: 0o600 }),
      entry('chown.txt', { uid: 1000, gid: 1000 }),
      entry('link-me.txt', { type: 'symlink', size: 0, mode: 0o777, sha256: null, linkTarget: 'keep.txt' }),
      entry('dir', { type: 'dir', mode: 0o755, mtime: 2 }),
      entry('dir/new', { type: 'dir', mode: 0o755 }),
      entry('dir/new/file.txt', { size: 7 }),
    ];
    const diff = volumeDiff('data', base, after);
    expect(diff.added.map((e) => e.path)).toEqual(['dir/new', 'dir/new/file.txt']);
    expect(diff.removed).toEqual([{ path: 'gone.txt', type: 'file', size: 10 }]);
    expect(diff.modified.map((m) => [m.path, m.changes])).toEqual([
      ['chmod.txt', ['mode']],
      ['chown.txt', ['owner']],
      ['edit.txt', ['content', 'size']],
      ['link-me.txt', ['type']],
    ]);
    expect(diff.summary).toEqual({
      added: 2,
      removed: 1,
      modified: 4,
      addedBytes: 7,
      removedBytes: 10,
      modifiedBytes: 3 + 3 + 5 + 0,
    });
  });

  it('is symmetric: B→A swaps added and removed and the sides of each change', () => {
    const after = [
      ...base.filter((e) => e.path !== 'gone.txt' && e.path !== 'edit.txt'),
      entry('new.txt'),
      entry('edit.txt', { sha256: 'c' }),
    ];
    const forward = diffManifests(base, after);
    const backward = diffManifests(after, base);
    expect(backward.added).toEqual(forward.removed);
    expect(backward.removed).toEqual(forward.added);
    expect(backward.modified.map((m) => ({ ...m, before: m.after, after: m.before }))).toEqual(forward.modified);
  });

  it('reports a content change of the same size, and a changed symlink target', () => {
    const before = [entry('f', { sha256: 'x' }), entry('l', { type: 'symlink', linkTarget: 'a' })];
    const after = [entry('f', { sha256: 'y' }), entry('l', { type: 'symlink', linkTarget: 'b' })];
    expect(diffManifests(before, after).modified.map((m) => m.changes)).toEqual([['content'], ['linkTarget']]);
  });

  it('reports a volume present on one side as a whole, without its root', () => {
    const diff = oneSidedVolumeDiff('old', 'before-only', base);
    expect(diff.presence).toBe('before-only');
    expect(diff.removed).toHaveLength(base.length - 1);
    expect(diff.summary.removedBytes).toBe(3 * 5 + 10);
  });
});

describe('pairVolumes', () => {
  const ref = (volumeName: string, owner: string, destination: string) => ({
    volumeName,
    mounts: [{ owner, destination }],
  });

  it('matches by owner and mount destination first, then by name, and keeps the rest one-sided', () => {
    const before = [ref('a_db', 'db', '/data'), ref('cache', 'web', '/cache'), ref('old', 'web', '/old')];
    const after = [ref('b_db', 'db', '/data'), ref('cache', 'worker', '/c'), ref('fresh', 'web', '/fresh')];
    const pairs = pairVolumes(before, after).map((p) => [p.before?.volumeName ?? null, p.after?.volumeName ?? null]);
    expect(pairs).toEqual([
      ['a_db', 'b_db'],
      ['cache', 'cache'],
      ['old', null],
      [null, 'fresh'],
    ]);
  });
});

describe('buildFileDiff', () => {
  const side = (text: string, fields: Partial<ManifestEntry> = {}) => ({
    entry: entry('f.txt', { size: text.length, sha256: text, ...fields }),
    content: Buffer.from(text),
  });
  const labels = { path: 'f.txt', volumeName: 'v', beforeLabel: 'snap', afterLabel: 'current' };

  it('gives a unified diff of two texts', () => {
    const diff = buildFileDiff({ ...labels, before: side('one\ntwo\n'), after: side('one\nthree\n') });
    expect(diff.kind).toBe('text');
    expect(diff.kind === 'text' && diff.unified).toContain('-two\n+three');
  });

  it('says binary with sizes and hashes when a side is not text', () => {
    const diff = buildFileDiff({ ...labels, before: side('a\u0000b'), after: side('text') });
    expect(diff).toMatchObject({ kind: 'binary', before: { size: 3, sha256: 'a\u0000b' }, after: { size: 4 } });
  });

  it('says same when nothing differs', () => {
    expect(buildFileDiff({ ...labels, before: side('x'), after: side('x') }).kind).toBe('same');
  });
});
