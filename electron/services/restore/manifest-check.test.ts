import { describe, expect, it } from 'vitest';
import { checkManifest } from './manifest-check';
import type { ManifestEntry } from '../../../shared/types';

const entry = (path: string, type: ManifestEntry['type'], more: Partial<ManifestEntry> = {}): ManifestEntry => ({
  path,
  type,
  size: 0,
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 0,
  sha256: null,
  linkTarget: null,
  ...more,
});
const root = entry('.', 'dir');

describe('checkManifest', () => {
  it('accepts a plain tree with links that stay leaves', () => {
    const ok = [root, entry('d', 'dir'), entry('d/f', 'file'), entry('l', 'symlink', { linkTarget: '/' })];
    expect(() => checkManifest([...ok, entry('h', 'hardlink', { linkTarget: 'd/f' })], 'refused')).not.toThrow();
  });

  it.each([
    ['a root that is a symlink', [entry('.', 'symlink', { linkTarget: '/' })], /root \(\.\) is a symlink/],
    ['a root that is a file', [entry('.', 'file')], /root \(\.\) is a file/],
    ['no root', [entry('a', 'file')], /root \(\.\) is missing/],
    ['an entry beneath a symlink', [root, entry('l', 'symlink'), entry('l/x', 'file')], /under l, which is a symlink/],
    ['an entry beneath an unlisted folder', [root, entry('d/x', 'file')], /under d, which the manifest does not list/],
    ['a path with ..', [root, entry('../x', 'file')], /contains "\.\."/],
    ['an absolute path', [root, entry('/x', 'file')], /absolute/],
    ['a hardlink out of the volume', [root, entry('h', 'hardlink', { linkTarget: '../x' })], /not a file of this/],
    ['a Volsnap folder', [root, entry('.volsnap-stage-x', 'dir')], /Volsnap's own/],
  ])('refuses %s', (_what, entries, reason) => {
    expect(() => checkManifest(entries, 'allowed')).toThrow(reason);
  });

  it('refuses special files only where the snapshot does not allow them', () => {
    for (const special of [entry('p', 'other'), entry('s', 'file', { mode: 0o4755 }), entry('a\nb', 'file')]) {
      expect(() => checkManifest([root, special], 'allowed')).not.toThrow();
      expect(() => checkManifest([root, special], 'refused')).toThrow(/does not allow special files/);
    }
  });
});
