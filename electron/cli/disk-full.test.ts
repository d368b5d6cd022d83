import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
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

/** The test mounts a small tmpfs as the data dir's disk, which needs root (CI runs as root). */
const canMount = process.getuid?.() === 0 && !engineTestsSkipped;

/**
 * A full data-dir disk. Before the fix every command, `list` included, printed only
 * `volsnap: disk I/O error`: SQLite could not create its shared-memory file to read the WAL.
 */
(canMount ? describe : describe.skip)('a full data-dir disk', () => {
  const docker = testDocker();
  const dir = tempDir();
  const mountPoint = path.join(dir.path, 'disk');
  const dataDir = path.join(mountPoint, 'data');
  const filler = path.join(mountPoint, 'filler');
  let w: TestWorkload;

  const cli = (args: string[]) => runCliSync(dataDir, args);
  function fill(): void {
    // dd stops with "No space left on device": the disk is then full to the last block.
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k'], { stdio: 'ignore' });
  }

  beforeAll(async () => {
    ensureCliBuilt();
    mkdirSync(mountPoint);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    expect(mounted.status, mounted.stderr).toBe(0);
    const vol = uniqueName('fullvol');
    w = await createWorkload(docker, {
      services: [{ name: uniqueName('fullapp'), volumes: [{ volume: vol, destination: '/data' }] }],
      seed: `echo hello > /seed/${vol}/hello.txt`,
    });
  });
  afterAll(async () => {
    spawnSync('umount', [mountPoint]);
    await w?.remove();
    dir.remove();
  });

  it('read-only commands keep working; writes say the disk is full, where, and that nothing was lost', () => {
    const captured = cli(['--json', 'capture', w.name, '--name', 'before-full']);
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
      ['capture', w.name, '--name', 'on-full-disk'],
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
    rmSync(filler);
    expect(cli(['--json', 'list']).stdout).toBe(listed);
    expect(cli(['verify', 'before-full']).code).toBe(0);
    expect(cli(['config', 'get', 'keepLast']).stdout).toContain('20');
    const again = cli(['--json', 'capture', w.name, '--name', 'after-full']);
    expect(again.code, again.stderr).toBe(0);
  });
});
