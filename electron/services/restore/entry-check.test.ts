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
  return checkerOf([entry('.', 'dir'), ...entries]);
}

function checkerOf(entries: ManifestEntry[], specialFiles: 'allowed' | 'refused' = 'allowed'): EntryChecker {
  const manifest = new Map(entries.map((e) => [e.path, e]));
  return new EntryChecker({ rootName: 'vol', manifest, stageDir: '.volsnap-stage-j', specialFiles });
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
    const c = checker();
    c.check(tar('vol/', 'Directory'));
    expect(() => c.check(tar(path, 'File'))).toThrow(reason);
  });

  it('refuses anything written through a symlink, duplicates, and hardlinks out of the tree', () => {
    const c = checker(entry('l', 'symlink', '/'), entry('l/x', 'file'), entry('h', 'hardlink', 'missing'));
    c.check(tar('vol/', 'Directory'));
    c.check(tar('vol/l', 'SymbolicLink', { linkpath: '/' }));
    expect(() => c.check(tar('vol/l/x', 'File'))).toThrow(/through the link l/);
    expect(() => c.check(tar('vol/l', 'SymbolicLink', { linkpath: '/' }))).toThrow(/twice/);
    expect(() => c.check(tar('vol/h', 'Link', { linkpath: '../etc/shadow' }))).toThrow(/\.\./);
  });

  it('refuses an entry whose permissions or owner differ from the manifest', () => {
    const c = checker(entry('a', 'file'), entry('b', 'file'), entry('c', 'file'));
    c.check(tar('vol/', 'Directory'));
    expect(() => c.check(tar('vol/a', 'File', { mode: 0o4755 }))).toThrow(/permissions/);
    expect(() => c.check(tar('vol/b', 'File', { uid: 1000 }))).toThrow(/owner/);
    expect(() => c.check(tar('vol/c', 'File', { gid: 1000 }))).toThrow(/owner/);
  });

  it.each([
    ['a symlink', entry('.', 'symlink', '/'), tar('vol', 'SymbolicLink', { linkpath: '/' })],
    ['a file', entry('.', 'file'), tar('vol', 'File')],
    ['a hardlink', entry('.', 'hardlink', 'a'), tar('vol', 'Link', { linkpath: 'vol/a' })],
  ])('refuses a volume root (.) that is %s, even when the manifest agrees', (_what, root, archived) => {
    expect(() => checkerOf([root]).check(archived)).toThrow(/volume root \(\.\) is a \w+, not a directory/);
  });

  it('refuses an entry whose parent is not a directory staged before it', () => {
    const c = checker(entry('f', 'file'), entry('f/x', 'file'), entry('d', 'dir'), entry('d/x', 'file'));
    expect(() => c.check(tar('vol/f', 'File'))).toThrow(/before the volume root/);
    c.check(tar('vol/', 'Directory'));
    expect(() => c.check(tar('vol/d/x', 'File'))).toThrow(/before its parent directory d/);
    c.check(tar('vol/f', 'File'));
    expect(() => c.check(tar('vol/f/x', 'File'))).toThrow(/under f, which is a file/);
  });

  it("refuses entries named like Volsnap's own folders at the root", () => {
    const c = checker(entry('.volsnap-aside-x', 'dir'));
    c.check(tar('vol/', 'Directory'));
    expect(() => c.check(tar('vol/.volsnap-aside-x/', 'Directory', { mode: 0o644 }))).toThrow(/Volsnap's own/);
  });

  it('writes special files only where the snapshot allows them', () => {
    const special = [
      { ...entry('fifo', 'other'), mode: 0o644 },
      { ...entry('suid', 'file'), mode: 0o4755 },
      { ...entry('sgid', 'file'), mode: 0o2755 },
      entry('new\nline', 'file'),
    ];
    const archived = [
      tar('vol/fifo', 'FIFO'),
      tar('vol/suid', 'File', { mode: 0o4755 }),
      tar('vol/sgid', 'File', { mode: 0o2755 }),
      tar('vol/new\nline', 'File'),
    ];
    const allowed = checkerOf([entry('.', 'dir'), ...special], 'allowed');
    allowed.check(tar('vol/', 'Directory'));
    for (const e of archived) expect(() => allowed.check(e)).not.toThrow();
    const refused = checkerOf([entry('.', 'dir'), ...special], 'refused');
    refused.check(tar('vol/', 'Directory'));
    expect(() => refused.check(archived[0]!)).toThrow(/device node or FIFO/);
    expect(() => refused.check(archived[1]!)).toThrow(/setuid or setgid/);
    expect(() => refused.check(archived[2]!)).toThrow(/setuid or setgid/);
    expect(() => refused.check(archived[3]!)).toThrow(/"new\\nline" has a newline/);
  });

  it('refuses an archive that lacks a manifest entry', () => {
    const c = checker(entry('a', 'file'));
    c.check(tar('vol', 'Directory'));
    expect(() => c.finish()).toThrow(/missing from the archive/);
  });
});
