import { describe, expect, it } from 'vitest';
import { EntryChecker } from './entry-check';
import type { ManifestEntry } from '../../../shared/types';

const entry = (path: string, type: ManifestEntry['type'], linkTarget: string | null = null): ManifestEntry => ({
  path,
  type,
  size: 0,
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 0,
  sha256: null,
  linkTarget,
});

function checker(...entries: ManifestEntry[]): EntryChecker {
  return new EntryChecker('vol', new Map([entry('.', 'dir'), ...entries].map((e) => [e.path, e])), '.volsnap-stage-j');
}

describe('EntryChecker', () => {
  it('rewrites paths and hardlink targets under the stage dir', () => {
    const c = checker(entry('a', 'file'), entry('d', 'dir'), entry('h', 'hardlink', 'a'));
    expect(c.check({ path: 'vol/', type: 'Directory', size: 0 }).stagePath).toBe('.volsnap-stage-j/');
    expect(c.check({ path: 'vol/a', type: 'File', size: 0 }).stagePath).toBe('.volsnap-stage-j/a');
    expect(c.check({ path: 'vol/d/', type: 'Directory', size: 0 }).stagePath).toBe('.volsnap-stage-j/d/');
    expect(c.check({ path: 'vol/h', type: 'Link', size: 0, linkpath: 'vol/a' }).stageLinkpath).toBe(
      '.volsnap-stage-j/a',
    );
    expect(() => c.finish()).not.toThrow();
  });

  it.each([
    ['/etc/passwd', /absolute/],
    ['vol/../x', /\.\./],
    ['other/x', /outside/],
    ['vol/unknown', /not in the snapshot's manifest/],
  ])('refuses %s', (path, reason) => {
    expect(() => checker().check({ path, type: 'File', size: 0 })).toThrow(reason);
  });

  it('refuses anything written through a symlink, duplicates, and hardlinks out of the tree', () => {
    const c = checker(entry('l', 'symlink', '/'), entry('l/x', 'file'), entry('h', 'hardlink', 'missing'));
    c.check({ path: 'vol/l', type: 'SymbolicLink', size: 0, linkpath: '/' });
    expect(() => c.check({ path: 'vol/l/x', type: 'File', size: 0 })).toThrow(/through the link l/);
    expect(() => c.check({ path: 'vol/l', type: 'SymbolicLink', size: 0, linkpath: '/' })).toThrow(/twice/);
    expect(() => c.check({ path: 'vol/h', type: 'Link', size: 0, linkpath: '../etc/shadow' })).toThrow(/\.\./);
  });

  it('refuses an archive that lacks a manifest entry', () => {
    const c = checker(entry('a', 'file'));
    c.check({ path: 'vol', type: 'Directory', size: 0 });
    expect(() => c.finish()).toThrow(/missing from the archive/);
  });
});
