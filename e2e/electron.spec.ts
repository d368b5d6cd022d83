import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DOCKER_HOST } from './support/serve';
import { createWorkload, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

/**
 * The real desktop app: Electron main + preload + renderer against the private engine, with a
 * temp data dir. The electron package's binary is downloaded by its postinstall; where that was
 * impossible (offline machines, ELECTRON_SKIP_BINARY_DOWNLOAD) this spec skips and says why.
 */
function electronBinary(): { path: string } | { missing: string } {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('electron/package.json'));
  const pathFile = path.join(pkg, 'path.txt');
  // require('electron') tries to download a missing binary: look before asking it.
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    if (!existsSync(pathFile))
      return { missing: 'node_modules/electron has no binary (its download was skipped or failed)' };
    const expected = path.join(pkg, 'dist', readFileSync(pathFile, 'utf8'));
    if (!existsSync(expected)) return { missing: `${expected} does not exist` };
  }
  const binary = require('electron') as unknown;
  return typeof binary === 'string' && existsSync(binary)
    ? { path: binary }
    : { missing: `no binary at ${String(binary)}` };
}

const binary = electronBinary();
const skipReason =
  'missing' in binary
    ? `No Electron binary here, so the desktop app cannot start (${binary.missing}). The same UI is tested through the web host (web-ui.spec.ts).`
    : null;
// The list reporter does not print skip reasons: say it where a person running the suite sees it.
if (skipReason) console.warn(`electron.spec.ts skipped: ${skipReason}`);
process.env.DOCKER_HOST = DOCKER_HOST;

test.describe('desktop app (Electron)', () => {
  test.skip(skipReason !== null, skipReason ?? '');

  let data: ReturnType<typeof tempDir>;
  let workload: TestWorkload;
  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    if (!existsSync('dist/main.cjs') || !existsSync('dist/renderer/index.html')) {
      throw new Error('Run `npm run build` before the e2e tests.');
    }
    data = tempDir('volsnap-electron-');
    const project = uniqueName('e2eapp');
    workload = await createWorkload(testDocker(), {
      project,
      services: [{ name: 'app', volumes: [{ volume: `${project}_data`, destination: '/data' }] }],
      seed: `echo hello > /seed/${project}_data/hello.txt`,
    });
    app = await electron.launch({
      executablePath: (binary as { path: string }).path,
      // Chromium refuses its OS sandbox as root; renderer isolation (sandboxed preload, CSP) stays.
      args: ['.', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: {
        ...process.env,
        DOCKER_HOST,
        VOLSNAP_DATA_DIR: data.path,
        VOLSNAP_CONFIG_DIR: `${data.path}/config`,
      },
    });
    page = await app.firstWindow();
  });

  test.afterAll(async () => {
    await app?.close();
    await workload?.remove();
    data?.remove();
  });

  test('opens on the workloads of the engine', async () => {
    await expect(page).toHaveTitle('Volsnap');
    await expect(page.locator(`tr[data-workload="${workload.id}"]`)).toContainText('running');
    await page.screenshot({ path: 'e2e/artifacts/electron-workloads.png' });
  });

  test('gives the page one frozen bridge and no Node', async () => {
    const surface = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const bridge = w.volsnapBridge as Record<string, unknown>;
      return {
        frozen: Object.isFrozen(bridge),
        methods: Object.keys(bridge).sort(),
        node: [typeof w.require, typeof w.process, typeof w.ipcRenderer],
      };
    });
    expect(surface.frozen).toBe(true);
    expect(surface.methods).toContain('listWorkloads');
    expect(surface.methods).toContain('on');
    expect(surface.node).toEqual(['undefined', 'undefined', 'undefined']);
  });

  test('rejects a bad IPC payload in main with InvalidInput', async () => {
    const result = await page.evaluate(() =>
      (
        window as unknown as { volsnapBridge: { captureWorkload(input: unknown): Promise<unknown> } }
      ).volsnapBridge.captureWorkload({
        workload: 42,
      }),
    );
    expect(result).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
  });

  test('does not navigate away or open windows', async () => {
    const before = page.url();
    await page.evaluate(() => {
      // Not an https link, so it is not even handed to the system browser.
      window.open('file:///etc/passwd');
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    expect(app.windows()).toHaveLength(1);
  });
});
