import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkload,
  engineTestsSkipped,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../test/engine';
import { ensureCliBuilt, runCliSync } from '../../test/cli';
import { createHandlers, invokeCommand } from '../host/handlers';
import { openHostServices } from '../host/host-services';
import { createServices } from '../services';
import { freeBytes } from '../store/disk-full';
import type { StoreUsage } from '../../shared/usage-types';

/** The test mounts a small tmpfs as the data dir's disk, which needs root (CI runs as root). */
const canMount = process.getuid?.() === 0 && !engineTestsSkipped;

/**
 * A tmpfs of `size` mounted as the data dir's disk for the describe that calls this, and a workload
 * whose one volume `seed` fills (a shell command given the volume's name). `fill` fills the disk
 * to its last block (dd stops with "No space left on device"); `unfill` takes that back.
 */
function fullDisk(size: string, name: string, seed: (volume: string) => string) {
  const docker = testDocker();
  const dir = tempDir();
  const mountPoint = path.join(dir.path, 'disk');
  const filler = path.join(mountPoint, 'filler');
  const disk = {
    docker,
    dir: dir.path,
    dataDir: path.join(mountPoint, 'data'),
    workload: undefined as unknown as TestWorkload,
    // The free space the reserve and the disk-full message judge by.
    free: () => freeBytes(mountPoint)!,
    fill: () => {
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M'], { stdio: 'ignore' });
      spawnSync('dd', ['if=/dev/zero', `of=${filler}.tail`, 'bs=1k'], { stdio: 'ignore' });
    },
    unfill: () => {
      rmSync(filler, { force: true });
      rmSync(`${filler}.tail`, { force: true });
    },
  };
  beforeAll(async () => {
    ensureCliBuilt();
    mkdirSync(mountPoint);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], {
      encoding: 'utf8',
    });
    expect(mounted.status, mounted.stderr).toBe(0);
    const volume = uniqueName(`${name}vol`);
    disk.workload = await createWorkload(docker, {
      services: [{ name: uniqueName(`${name}app`), volumes: [{ volume, destination: '/data' }] }],
      seed: seed(volume),
    });
  });
  afterAll(async () => {
    spawnSync('umount', [mountPoint]);
    await (disk.workload as TestWorkload | undefined)?.remove();
    dir.remove();
  });
  return disk;
}

/**
 * A full data-dir disk. Before the fix every command, `list` included, printed only
 * `volsnap: disk I/O error`: SQLite could not create its shared-memory file to read the WAL.
 */
(canMount ? describe : describe.skip)('a full data-dir disk', () => {
  const disk = fullDisk('4m', 'full', (volume) => `echo hello > /seed/${volume}/hello.txt`);
  const { dataDir, fill, unfill } = disk;
  const cli = (args: string[]) => runCliSync(dataDir, args);

  it('read-only commands keep working; writes say the disk is full, where, and that nothing was lost', () => {
    const captured = cli(['--json', 'capture', disk.workload.name, '--name', 'before-full']);
    expect(captured.code, captured.stderr).toBe(0);
    const listed = cli(['--json', 'list']).stdout;
    fill();

    const list = cli(['--json', 'list']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(listed);
    const show = cli(['show', 'before-full']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('before-full');
    expect(cli(['jobs']).code).toBe(0);
    expect(cli(['config', 'get', 'keepLast']).stdout).toContain('20');

    // Writes, and reads that record a lease (verify), fail with the reason.
    for (const write of [
      ['capture', disk.workload.name, '--name', 'on-full-disk'],
      ['config', 'set', 'keepLast', '3'],
      ['verify', 'before-full'],
    ]) {
      const r = cli(write);
      expect(r.code, write.join(' ')).toBe(1);
      expect(r.stderr).toContain(`The disk holding the Volsnap data directory ${dataDir} is full`);
      expect(r.stderr).toContain('Nothing was lost');
      expect(r.stderr).not.toMatch(/disk I\/O error/);
    }

    // Space freed: everything is as it was, and writing works again.
    unfill();
    expect(cli(['--json', 'list']).stdout).toBe(listed);
    expect(cli(['verify', 'before-full']).code).toBe(0);
    expect(cli(['config', 'get', 'keepLast']).stdout).toContain('20');
    const again = cli(['--json', 'capture', disk.workload.name, '--name', 'after-full']);
    expect(again.code, again.stderr).toBe(0);
  });
});

/**
 * The space reserve (space-reserve.ts). Before it, a full disk left Volsnap unable to delete a
 * snapshot (the catalog could not be written), the one thing that would give space back, and to
 * export one to another disk first: a person was left to delete files in the store by hand.
 */
(canMount ? describe : describe.skip)('a full data-dir disk, with the space reserve', () => {
  // Room for the store (70 MiB: the reserve is made for a store larger than itself), the reserve
  // (64 MiB) and the margin it needs to be made (512 MiB).
  const disk = fullDisk(
    '720m',
    'reserve',
    (volume) => `head -c 73400320 /dev/urandom > /seed/${volume}/big.bin && echo hello > /seed/${volume}/hello.txt`,
  );
  const { dataDir, docker, fill, unfill, free } = disk;
  const bundle = path.join(disk.dir, 'saved.volsnap');
  const cli = (args: string[]) => runCliSync(dataDir, args);

  it('a snapshot can still be exported to another disk, then deleted, which gives its space back', () => {
    const captured = cli(['--json', 'capture', disk.workload.name, '--name', 'big']);
    expect(captured.code, captured.stderr).toBe(0);
    // A mutating command's sweep makes the reserve once the disk has room for it.
    expect(cli(['prune']).code).toBe(0);
    expect(statSync(path.join(dataDir, 'space-reserve')).size).toBe(64 * 1024 * 1024);
    const usage = () => (JSON.parse(cli(['--json', 'usage']).stdout) as StoreUsage).reserveBytes;
    expect(usage()).toBe(64 * 1024 * 1024);
    fill();
    expect(free()).toBeLessThan(1024 * 1024);

    // Capturing cannot use the reserve; the message says what still works.
    const refused = cli(['capture', disk.workload.name, '--name', 'on-full-disk']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The disk holding the Volsnap data directory ${dataDir} is full`);
    expect(refused.stderr).toContain(
      'Deleting snapshots (delete, prune, gc) and exporting them to another disk still work',
    );

    const exported = cli(['--json', 'export', 'big', '--output', bundle]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(statSync(bundle).size).toBeGreaterThan(70 * 1024 * 1024);
    const beforeDelete = free();
    const deleted = cli(['delete', 'big', '--confirm', 'big']);
    expect(deleted.code, deleted.stderr).toBe(0);
    // The snapshot's chunks went with it (gc runs after a delete).
    expect(free() - beforeDelete).toBeGreaterThan(60 * 1024 * 1024);
    expect(JSON.parse(cli(['--json', 'list']).stdout)).toEqual([]);
    // Given back to the disk by the export (the first command that freed space), and shown so.
    expect(usage()).toBe(0);

    // The saved snapshot imports back once there is room again.
    unfill();
    const imported = cli(['--json', 'import', bundle]);
    expect(imported.code, imported.stderr).toBe(0);
    expect((JSON.parse(imported.stdout) as { name: string }).name).toBe('big');
  });

  it('the app deletes a snapshot on a full disk too (its catalog connection was opened before it filled)', async () => {
    const services = createServices({ dataDir, docker });
    try {
      await services.sweep();
      expect(statSync(path.join(dataDir, 'space-reserve')).size).toBe(64 * 1024 * 1024);
      fill();
      const handlers = createHandlers(services);
      // What the app shows for what cannot run: which disk, and that nothing was lost, not SQLite's own words.
      const full = `The disk holding the Volsnap data directory ${dataDir} is full`;
      const setting = await invokeCommand(handlers, 'setSetting', { key: 'keepLast', value: 3 });
      expect(setting).toMatchObject({ ok: false, error: { message: expect.stringContaining(full) as unknown } });
      const capture = await invokeCommand(handlers, 'captureWorkload', { workload: disk.workload.name });
      expect(capture).toMatchObject({ ok: false, error: { message: expect.stringContaining(full) as unknown } });
      // In the app's words: no CLI command names.
      if (!capture.ok) {
        expect(capture.error.message).toContain(
          'Deleting snapshots and exporting them to another disk still work: Volsnap keeps space in reserve for them.',
        );
        expect(capture.error.message).not.toMatch(/prune|config get|run the command/);
      }
      const result = await invokeCommand(handlers, 'deleteSnapshot', { snapshot: 'big', confirm: 'big' });
      expect(result).toMatchObject({ ok: true, value: { name: 'big' } });
      expect(services.snapshots.list()).toEqual([]);
    } finally {
      services.close();
      unfill();
    }
  });

  it('the app started on a full disk deletes a snapshot: it opens its catalog writable', async () => {
    expect(cli(['--json', 'capture', disk.workload.name, '--name', 'again']).code).toBe(0);
    expect(cli(['prune']).code).toBe(0);
    fill();
    const services = openHostServices({ dataDir, docker });
    try {
      const result = await invokeCommand(createHandlers(services), 'deleteSnapshot', {
        snapshot: 'again',
        confirm: 'again',
      });
      expect(result).toMatchObject({ ok: true, value: { name: 'again' } });
    } finally {
      services.close();
      unfill();
    }
  });
});
