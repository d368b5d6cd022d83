import { describe, expect, it } from 'vitest';
import { EntryChecker, type ArchiveEntry } from './entry-check';
import type { ManifestEntry } from '../../../shared/types';

/** Size, permissions and owner every entry below has, in the manifest and in the archive alike. */
const SAME = { size: 0, mode: 0o644, uid: 0, gid: 0 };

const entry = (path: string, type: ManifestEntry['type'], linkTarget: string | null = null): ManifestEntry => ({
  ...SAME,
  path,
  type,
  mtime: 0,
  sha256: null,
  linkTarget,
});

/** A tar entry as the parser gives it. */
const tar = (path: string, type: string, more: Partial<ArchiveEntry> = {}): ArchiveEntry => ({
  ...SAME,
  path,
  type,
  ...more,
});

function checker(...entries: ManifestEntry[]): EntryChecker {
  return new EntryChecker('vol', new Map([entry('.', 'dir'), ...entries].map((e) => [e.path, e])), '.volsnap-stage-j');
}

describe('EntryChecker', () => {
  it('rewrites paths and hardlink targets under the stage dir', () => {
    const c = checker(entry('a', 'file'), entry('d', 'dir'), entry('h', 'hardlink', 'a'));
    expect(c.check(tar('vol/', 'Directory')).stagePath).toBe('.volsnap-stage-j/');
    expect(c.check(tar('vol/a', 'File')).stagePath).toBe('.volsnap-stage-j/a');
    expect(c.check(tar('vol/d/', 'Directory')).stagePath).toBe('.volsnap-stage-j/d/');
    expect(c.check(tar('vol/h', 'Link', { linkpath: 'vol/a' })).stageLinkpath).toBe('.volsnap-stage-j/a');
    expect(() => c.finish()).not.toThrow();
  });

  it.each([
    ['/etc/passwd', /absolute/],
    ['vol/../x', /\.\./],
    ['other/x', /outside/],
    ['vol/unknown', /not in the snapshot's manifest/],
  ])('refuses %s', (path, reason) => {
    expect(() => checker().check(tar(path, 'File'))).toThrow(reason);
  });

  it('refuses anything written through a symlink, duplicates, and hardlinks out of the tree', () => {
    const c = checker(entry('l', 'symlink', '/'), entry('l/x', 'file'), entry('h', 'hardlink', 'missing'));
    c.check(tar('vol/l', 'SymbolicLink', { linkpath: '/' }));
    expect(() => c.check(tar('vol/l/x', 'File'))).toThrow(/through the link l/);
    expect(() => c.check(tar('vol/l', 'SymbolicLink', { linkpath: '/' }))).toThrow(/twice/);
    expect(() => c.check(tar('vol/h', 'Link', { linkpath: '../etc/shadow' }))).toThrow(/\.\./);
  });

  it('refuses an entry whose permissions or owner differ from the manifest', () => {
    const c = checker(entry('a', 'file'), entry('b', 'file'), entry('c', 'file'));
    expect(() => c.check(tar('vol/a', 'File', { mode: 0o4755 }))).toThrow(/permissions/);
    expect(() => c.check(tar('vol/b', 'File', { uid: 1000 }))).toThrow(/owner/);
    expect(() => c.check(tar('vol/c', 'File', { gid: 1000 }))).toThrow(/owner/);
  });

  it('refuses an archive that lacks a manifest entry', () => {
    const c = checker(entry('a', 'file'));
    c.check(tar('vol', 'Directory'));
    expect(() => c.finish()).toThrow(/missing from the archive/);
  });
});
