import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSnapshot } from './seed.test-util';
import { createServices, type Services } from '../index';
import { tempDir } from '../../../test/engine';

const dir = tempDir();
let services: Services;

beforeAll(() => {
  services = createServices({ dataDir: path.join(dir.path, 'data') });
});
afterAll(() => {
  services.close();
  dir.remove();
});

const base = [
  { path: '.', type: 'Directory' as const },
  { path: 'etc', type: 'Directory' as const },
  { path: 'etc/app.conf', type: 'File' as const, body: 'a=1\n' },
  { path: 'etc/logo.png', type: 'File' as const, body: 'PNG\0\0binary' },
  { path: 'etc/Notes.TXT', type: 'File' as const, body: 'notes' },
  { path: 'var', type: 'Directory' as const },
  { path: 'var/app.conf', type: 'File' as const, body: 'b=2\n' },
];

describe('listing and preview', () => {
  let id: string;
  beforeAll(async () => {
    id = await seedSnapshot(services, { volume: 'vol', entries: base });
  });

  it('lists a folder’s children and searches by name anywhere', () => {
    const files = services.snapshotFiles;
    expect(files.list({ snapshot: id }).entries.map((e) => e.path)).toEqual(['etc', 'var']);
    expect(files.list({ snapshot: id, path: '/etc/' }).entries.map((e) => e.name)).toEqual([
      'Notes.TXT',
      'app.conf',
      'logo.png',
    ]);
    expect(files.list({ snapshot: id, search: 'APP' }).entries.map((e) => e.path)).toEqual([
      'etc/app.conf',
      'var/app.conf',
    ]);
    expect(files.list({ snapshot: id, search: 'etc' }).entries.map((e) => e.path)).toEqual(['etc']);
  });

  it('previews text, says binary for binary, and refuses a folder to cat', async () => {
    const files = services.snapshotFiles;
    expect(await files.preview({ snapshot: id, path: 'etc/app.conf' })).toMatchObject({ kind: 'text', text: 'a=1\n' });
    expect(await files.preview({ snapshot: id, path: 'etc/logo.png' })).toMatchObject({ kind: 'binary', text: null });
    expect(await files.preview({ snapshot: id, path: 'etc' })).toMatchObject({ kind: 'not-a-file' });
    await expect(files.writeFile({ snapshot: id, path: 'etc' }, new PassThrough())).rejects.toThrow(/etc is a folder/);
  });
});

describe('extract refuses hostile archives like restore does', () => {
  async function extractOf(entries: Parameters<typeof seedSnapshot>[1]['entries'], allowSpecial = true) {
    const id = await seedSnapshot(services, { volume: 'vol', entries });
    if (!allowSpecial) services.catalog.setSpecialFiles(id, 'refused');
    const to = path.join(dir.path, `out-${id}`);
    const run = services.snapshotFiles.extract({ snapshot: id, paths: [], to, preserveOwner: false });
    return { run, to };
  }

  it('refuses an entry that climbs out with ".." and leaves no target behind', async () => {
    const { run, to } = await extractOf([...base, { path: '../escape.txt', type: 'File', body: 'x' }]);
    await expect(run).rejects.toThrow(/contains "\.\.".*Nothing was left in the target folder/);
    expect(existsSync(to)).toBe(false);
    expect(existsSync(path.join(dir.path, 'escape.txt'))).toBe(false);
  });

  it('refuses a file written through a symlink', async () => {
    const outside = path.join(dir.path, 'outside');
    const { run, to } = await extractOf([
      { path: '.', type: 'Directory' },
      { path: 'link', type: 'SymbolicLink', linkpath: outside },
      { path: 'link/pwn', type: 'File', body: 'x' },
    ]);
    await expect(run).rejects.toThrow(/would be written through the link link/);
    expect(existsSync(to)).toBe(false);
    expect(existsSync(outside)).toBe(false);
  });

  it('skips device nodes, and refuses them when the snapshot does not allow special files', async () => {
    const entries = [...base, { path: 'null', type: 'CharacterDevice' as const }];
    const allowed = await extractOf(entries);
    const result = await allowed.run;
    expect(result.skipped.map((s) => s.path)).toEqual(['null']);
    expect(result.skipped[0]!.reason).toMatch(/device node/);
    expect(readdirSync(allowed.to).sort()).toEqual(['etc', 'var']);
    expect(statSync(path.join(allowed.to, 'etc/app.conf')).size).toBe(4);
    const refused = await extractOf(entries, false);
    await expect(refused.run).rejects.toThrow(/device node or FIFO/);
    expect(existsSync(refused.to)).toBe(false);
  });
});
