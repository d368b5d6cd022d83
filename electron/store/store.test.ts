import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveFiles } from './archive-files';
import { Catalog, type NewSnapshot } from './catalog';
import { openDb, type Db } from './db';
import { Leases } from './leases';
import { SettingsStore } from './settings-store';
import { SnapshotService } from '../services/snapshot-service';
import { sweep } from '../services/sweep';
import { tempDir } from '../../test/engine';
import type { ManifestEntry } from '../../shared/types';

function newSnapshot(id: string, name: string, workloadId = 'compose:app'): NewSnapshot {
  return {
    id,
    name,
    note: '',
    workloadId,
    workloadName: workloadId.split(':')[1]!,
    createdAt: new Date().toISOString(),
    trigger: 'manual',
    mode: 'pause',
    expiresAt: null,
    provenance: { engineVersion: 'test', engineHost: 'test', containers: [], mounts: [] },
  };
}

describe('store', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let catalog: Catalog;
  let files: ArchiveFiles;

  beforeEach(() => {
    dir = tempDir();
    db = openDb(dir.path);
    catalog = new Catalog(db);
    files = new ArchiveFiles(dir.path);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('resolves snapshots by id, unique prefix or name, and explains ambiguity', () => {
    catalog.insertCapturing(newSnapshot('abcd000000000001', 'first'));
    catalog.insertCapturing(newSnapshot('abcd000000000002', 'second'));
    expect(catalog.resolve('first').id).toBe('abcd000000000001');
    expect(catalog.resolve('abcd000000000002').name).toBe('second');
    expect(catalog.resolve('abcd0000000000010'.slice(0, 16)).name).toBe('first');
    expect(() => catalog.resolve('abcd')).toThrow(expect.objectContaining({ kind: 'InvalidInput' }) as Error);
    expect(() => catalog.resolve('nope')).toThrow(expect.objectContaining({ kind: 'NotFound' }) as Error);
    // One character is too short to mean an id, and the message says so rather than "no snapshot".
    expect(() => catalog.resolve('a')).toThrow(
      expect.objectContaining({
        kind: 'InvalidInput',
        message: expect.stringContaining('too short') as string,
      }) as Error,
    );
  });

  it('migrates a new catalog to the latest schema and refuses a newer one', () => {
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDb(dir.path)).toThrow(/newer Volsnap/);
    db = openDb(path.join(dir.path, 'other'));
  });

  it('lets one process hold a workload lease at a time, and frees a dead holder', () => {
    const otherProcess = new Leases(openDb(dir.path), () => true);
    const lease = otherProcess.acquire('compose:app', { id: 'aaaaaaaaaaaaaaaa', kind: 'capture' });
    const here = new Leases(db, () => true);
    expect(() => here.acquire('compose:app', { id: 'bbbbbbbbbbbbbbbb', kind: 'restore' })).toThrow(/aaaaaaaaaaaaaaaa/);
    expect(here.acquire('compose:other', { id: 'cccccccccccccccc', kind: 'capture' })).toBeDefined();
    lease.release();
    here.acquire('compose:app', { id: 'bbbbbbbbbbbbbbbb', kind: 'restore' }).release();

    otherProcess.acquire('compose:app', { id: 'dddddddddddddddd', kind: 'capture' });
    const afterCrash = new Leases(db, () => false); // the holder's pid is gone
    expect(() => afterCrash.acquire('compose:app', { id: 'eeeeeeeeeeeeeeee', kind: 'capture' })).not.toThrow();
  });

  it('sweeps what a crash left: capturing rows fail, temp files and orphan folders go', async () => {
    catalog.insertCapturing(newSnapshot('1111111111111111', 'interrupted'));
    await files.makeDir('1111111111111111');
    writeFileSync(files.tempPathOf('1111111111111111', '0-v.tar.zst'), 'partial');
    catalog.insertCapturing(newSnapshot('2222222222222222', 'done'));
    catalog.markReady('2222222222222222', []);
    await files.makeDir('2222222222222222');
    writeFileSync(files.tempPathOf('2222222222222222', '1-x.tar.zst'), 'stray');
    writeFileSync(files.pathOf('2222222222222222', '0-v.tar.zst'), 'kept');
    mkdirSync(path.join(files.root, '3333333333333333'));

    const report = await sweep({ db, catalog, files, leases: new Leases(db), docker: null });
    expect(report).toMatchObject({ failedCaptures: 1, removedDirs: 1 });
    expect(catalog.get('1111111111111111')).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('interrupted') as unknown,
    });
    expect(existsSync(files.dirOf('1111111111111111'))).toBe(false);
    expect(existsSync(files.tempPathOf('2222222222222222', '1-x.tar.zst'))).toBe(false);
    expect(existsSync(files.pathOf('2222222222222222', '0-v.tar.zst'))).toBe(true);
    expect(existsSync(path.join(files.root, '3333333333333333'))).toBe(false);
  });

  it('leaves a capture that another live process is running alone', async () => {
    catalog.insertCapturing(newSnapshot('4444444444444444', 'in-progress'));
    await files.makeDir('4444444444444444');
    new Leases(db, () => true).acquire('compose:app', { id: 'ffffffffffffffff', kind: 'capture' });
    await sweep({ db, catalog, files, leases: new Leases(db), docker: null });
    expect(catalog.get('4444444444444444')?.status).toBe('capturing');
    expect(existsSync(files.dirOf('4444444444444444'))).toBe(true);
  });

  it('deletes strictly: confirmation, pins, and the row only once the archives are gone', async () => {
    const service = new SnapshotService(catalog, files, new Leases(db));
    catalog.insertCapturing(newSnapshot('5555555555555555', 'keep-me'));
    catalog.markReady('5555555555555555', []);
    await files.makeDir('5555555555555555');
    await expect(service.delete('keep-me', { confirm: 'keep-m' })).rejects.toMatchObject({
      kind: 'ConfirmationMismatch',
    });
    service.update('keep-me', { pinned: true });
    await expect(service.delete('keep-me', { confirm: 'keep-me' })).rejects.toMatchObject({ kind: 'Conflict' });

    const failing = new SnapshotService(
      catalog,
      Object.assign(Object.create(files) as ArchiveFiles, {
        removeDir: () => Promise.reject(new Error('EBUSY: resource busy')),
      }),
      new Leases(db),
    );
    await expect(failing.delete('keep-me', { confirm: 'keep-me', force: true })).rejects.toThrow(/EBUSY/);
    expect(catalog.get('5555555555555555')).toBeDefined();

    await service.delete('keep-me', { confirm: 'keep-me', force: true });
    expect(catalog.get('5555555555555555')).toBeUndefined();
    expect(existsSync(files.dirOf('5555555555555555'))).toBe(false);
  });

  it("copies an unchanged volume's manifest from the snapshot before, and only whole", () => {
    const entry = (path: string, sha256: string | null): ManifestEntry => ({
      path,
      type: sha256 ? 'file' : 'dir',
      size: sha256 ? 5 : 0,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 1_700_000_000,
      sha256,
      linkTarget: null,
    });
    const entries = [entry('.', null), entry('a.txt', 'a'.repeat(64)), entry('b.txt', 'b'.repeat(64))];
    for (const id of ['1000000000000001', '1000000000000002', '1000000000000003']) {
      catalog.insertCapturing(newSnapshot(id, id));
    }
    catalog.insertManifest('1000000000000001', 0, entries);
    const from = { snapshotId: '1000000000000001', position: 0 };

    expect(catalog.copyManifest('1000000000000002', 0, from, entries.length)).toBe(true);
    // A count that differs (a tar naming a path twice; the snapshot before deleted meanwhile) keeps nothing.
    expect(catalog.copyManifest('1000000000000003', 0, from, entries.length + 1)).toBe(false);
    expect(catalog.manifest('1000000000000003', 0)).toEqual([]);
    // The copy is the new snapshot's own: it stays when the one it came from goes.
    catalog.remove('1000000000000001');
    expect(catalog.manifest('1000000000000002', 0)).toEqual(entries);
    // One entry alone (a restore's plan reads the root's mode and owner so).
    expect(catalog.manifestEntry('1000000000000002', 0, '.')).toEqual(entries[0]);
    expect(catalog.manifestEntry('1000000000000002', 0, 'c.txt')).toBeUndefined();
  });

  it('validates settings and keeps the old value on a bad one', () => {
    const settings = new SettingsStore(db);
    expect(settings.get('keepLast')).toBe(20);
    settings.set('keepLast', 5);
    expect(() => settings.set('keepLast', -1)).toThrow(/keepLast/);
    expect(() => settings.set('defaultMode', 'sometimes')).toThrow(
      expect.objectContaining({ kind: 'InvalidInput' }) as Error,
    );
    expect(settings.get('keepLast')).toBe(5);
  });
});
