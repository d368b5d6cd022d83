import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/engine';

// bin/packaged/volsnap is the `volsnap` command an installer ships: it must start the app's own
// Electron binary as Node (ELECTRON_RUN_AS_NODE=1) on the CLI inside app.asar, from wherever it is
// linked (the deb links /usr/bin/volsnap to it). Checked here in stand-in layouts whose "Electron"
// reports how it was started; scripts/check-packaged-layout.mjs checks a real --dir package.
const LAUNCHER = path.resolve('bin/packaged/volsnap');
const STAND_IN = '#!/bin/sh\necho "$0|${ELECTRON_RUN_AS_NODE:-unset}|$*"\n';

describe('the packaged volsnap launcher', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  function layout(name: string, files: { launcher: string; app: string }) {
    const root = path.join(dir.path, name);
    for (const file of [files.launcher, files.app]) mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    copyFileSync(LAUNCHER, path.join(root, files.launcher));
    writeFileSync(path.join(root, files.app), STAND_IN, { mode: 0o755 });
    return root;
  }
  function run(command: string, args: string[]) {
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const r = spawnSync(command, args, { encoding: 'utf8', env });
    const [binary, runAsNode, argv] = r.stdout.trim().split('|');
    return { code: r.status, stderr: r.stderr, binary, runAsNode, argv };
  }

  it('on Linux (deb, AppImage): runs <app>/volsnap-app on resources/app.asar/dist/cli.cjs, through a symlink', () => {
    const root = layout('opt-Volsnap', { launcher: 'volsnap', app: 'volsnap-app' });
    const bin = path.join(dir.path, 'usr-bin');
    mkdirSync(bin);
    symlinkSync(path.join(root, 'volsnap'), path.join(bin, 'volsnap'));
    const r = run(path.join(bin, 'volsnap'), ['--json', 'list', 'my app']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.binary).toBe(path.join(root, 'volsnap-app'));
    expect(r.runAsNode).toBe('1');
    expect(r.argv).toBe(`${path.join(root, 'resources/app.asar/dist/cli.cjs')} --json list my app`);
  });

  it('on macOS: runs Contents/MacOS/Volsnap on Contents/Resources/app.asar/dist/cli.cjs', () => {
    const root = layout('Volsnap.app', { launcher: 'Contents/Resources/volsnap', app: 'Contents/MacOS/Volsnap' });
    const r = run(path.join(root, 'Contents/Resources/volsnap'), ['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.binary).toBe(`${root}/Contents/Resources/../MacOS/Volsnap`);
    expect(r.runAsNode).toBe('1');
    expect(r.argv).toBe(`${path.join(root, 'Contents/Resources/app.asar/dist/cli.cjs')} --version`);
  });

  it('says what is wrong when no app is beside it', () => {
    const lonely = path.join(dir.path, 'lonely');
    mkdirSync(lonely);
    copyFileSync(LAUNCHER, path.join(lonely, 'volsnap'));
    const r = spawnSync(path.join(lonely, 'volsnap'), ['--version'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot find the Volsnap app next to');
    expect(r.stderr).toContain('npx volsnap');
  });
});
