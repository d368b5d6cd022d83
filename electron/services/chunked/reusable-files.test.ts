import { describe, expect, it } from 'vitest';
import { ReusableFiles } from './reusable-files';
import type { LayoutPart, TarLayout } from './tar-layout';

// A re-capture takes a file's previous chunks when its header bytes and size are unchanged, in
// whatever order the files come: every unchanged file is found, and no changed one.

const hash = (n: number) => n.toString(16).padStart(64, '0');
const part = (name: string, size = 100): LayoutPart => ({
  meta: Buffer.from(`header of ${name}`.padEnd(512, '\0')),
  file: { size, chunks: [hash(name.length), hash(size)] },
});
const previousLayout = (): TarLayout => ({
  parts: ['a', 'b', 'c', 'd', 'e'].flatMap((name) => [{ meta: Buffer.from(`dir before ${name}`) }, part(name)]),
  tail: Buffer.alloc(1024),
});
/** What each file of `names` (in this capture's tar order) is given, as its previous chunk list or null. */
function takes(previous: TarLayout, names: string[]): (string[] | null)[] {
  const reuse = new ReusableFiles(previous, new Map());
  return names.map((name) => reuse.take(part(name).meta, 100)?.chunks ?? null);
}

describe('ReusableFiles', () => {
  it('takes every file of an unchanged volume, in order', () => {
    expect(takes(previousLayout(), ['a', 'b', 'c', 'd', 'e'])).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((name) => part(name).file!.chunks),
    );
  });

  it('finds the unchanged files after one added, one removed and two swapped', () => {
    const got = takes(previousLayout(), ['a', 'new', 'c', 'e', 'd']);
    expect(got).toEqual([
      part('a').file!.chunks,
      null,
      part('c').file!.chunks,
      part('e').file!.chunks,
      part('d').file!.chunks,
    ]);
  });

  it('takes no file whose header or size changed', () => {
    const reuse = new ReusableFiles(previousLayout(), new Map());
    expect(reuse.take(part('a').meta, 101)).toBeUndefined();
    expect(reuse.take(Buffer.from(part('b').meta).fill(1, 300, 301), 100)).toBeUndefined();
    expect(reuse.take(part('c').meta, 100)?.chunks).toEqual(part('c').file!.chunks);
  });
});
