import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/engine';

// `npm start` where no Electron binary exists (here: none downloaded; ELECTRON_OVERRIDE_DIST_PATH
// points at an empty folder so the test holds on a machine that has one): scripts/launch-electron.mjs
// says why and serves the same UI through `volsnap serve`, so the user still reaches it.
describe('npm start without an Electron binary', () => {
  const data = tempDir();
  const noElectron = tempDir();
  beforeAll(() => {
    if (!existsSync('dist/cli.cjs')) spawnSync('node', ['scripts/build.mjs', 'node'], { stdio: 'inherit' });
  });
  afterAll(() => {
    data.remove();
    noElectron.remove();
  });

  it('says why, serves the UI and prints its URL; stops cleanly', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      ELECTRON_OVERRIDE_DIST_PATH: noElectron.path,
      VOLSNAP_DATA_DIR: data.path,
      DOCKER_HOST: 'unix:///nonexistent/volsnap-test.sock',
    };
    delete env.DISPLAY; // never open a browser from a test
    delete env.WAYLAND_DISPLAY;
    const child = spawn('node', ['scripts/launch-electron.mjs'], { env });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const match = /Volsnap is serving at (\S+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`launcher exited ${code}: ${stdout}`)));
    });
    expect(stdout).toContain('no Electron here: ELECTRON_SKIP_BINARY_DOWNLOAD is set');
    expect(stdout).toContain('volsnap serve');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
