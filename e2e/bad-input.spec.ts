import { expect, test } from '@playwright/test';
import { WebSocket } from 'ws';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import { createWorkload, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();
const artifacts = 'e2e/artifacts';

test.describe('bad input on the web host', () => {
  const data = tempDir('volsnap-e2e-bad-');
  let workload: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    const name = uniqueName('e2ebad');
    workload = await createWorkload(docker, {
      services: [{ name, volumes: [{ volume: `${name}-data`, destination: '/data' }] }],
      seed: `echo hello > /seed/${name}-data/hello.txt`,
    });
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await workload?.remove();
    data.remove();
  });

  test('a wrong or missing token is refused with 401, a foreign Origin with 403', async ({ page }) => {
    expect((await page.goto(served.url.replace(/token=.*/, 'token=wrong')))?.status()).toBe(401);
    expect((await page.goto(served.origin))?.status()).toBe(401);
    await expect(page.locator('body')).toContainText('Missing or wrong token');
    const status = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, { headers: { origin } });
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
    expect(await status('http://evil.example')).toBe(403);
    expect(await status(served.origin)).toBe(101);
  });

  test('a snapshot captured and deleted by the CLI while shown: the list follows', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: `Open snapshots of ${workload.name}` }).click();
    await expect(page.getByText('No snapshots yet')).toBeVisible();
    cli(data.path, ['capture', workload.id, '--name', 'made-by-cli', '--mode', 'live']);
    const row = page.locator('[role="row"][data-snapshot="made-by-cli"]');
    await expect(row).toBeVisible({ timeout: 10_000 });
    await row.click();
    cli(data.path, ['delete', 'made-by-cli', '--confirm', 'made-by-cli']);
    await expect(row).toHaveCount(0, { timeout: 10_000 });
    // The deleted snapshot leaves neither the list nor the details pane: the empty state is back.
    await expect(page.getByText('No snapshots yet')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Selected snapshot made-by-cli' })).toHaveCount(0);
  });

  test('an invalid setting is refused with its reason; a failing job shows kind and message', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    const keepLast = page.getByRole('textbox', { name: 'Keep the last N snapshots per workload' });
    await keepLast.fill('0');
    await page.getByRole('button', { name: /^Save Keep the last/ }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Invalid value for keepLast' })).toBeVisible();
    const image = page.getByRole('textbox', { name: 'Helper image' });
    await image.fill('volsnap-missing/none:1');
    await page.getByRole('button', { name: /^Save Helper image/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' }).first()).toBeVisible();
    await page.screenshot({ path: `${artifacts}/09-settings.png` });

    await page.getByRole('button', { name: 'Workloads' }).click();
    await page.getByRole('button', { name: `Capture ${workload.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Capture ${workload.name}` });
    await dialog.getByRole('button', { name: 'Capture', exact: true }).click();
    await expect(dialog.getByText('capture · failed')).toBeVisible({ timeout: 120_000 });
    await expect(dialog.getByRole('alert')).toContainText('Unsupported: The helper image volsnap-missing/none:1');
    await page.screenshot({ path: `${artifacts}/10-failed-job.png` });
    await dialog.getByRole('button', { name: 'Done' }).click();
    // The UI stays usable: the failure is listed with its message.
    await page.getByRole('button', { name: 'Jobs' }).click();
    await expect(page.locator('tr[data-job]', { hasText: 'failed' }).first()).toContainText('Unsupported');
  });
});

test('engine down at start: the UI says so and offers Retry', async ({ page }) => {
  const data = tempDir('volsnap-e2e-down-');
  const served = await startServe(data.path, { DOCKER_HOST: 'unix:///tmp/volsnap-no-engine-here.sock' });
  try {
    await page.goto(served.url);
    const banner = page.getByRole('region', { name: 'Docker Engine status' });
    await expect(banner).toContainText('Docker Engine unavailable');
    await expect(banner).toContainText('Cannot reach the Docker Engine');
    await page.screenshot({ path: `${artifacts}/11-engine-down.png` });
    await banner.getByRole('button', { name: 'Retry' }).click();
    await expect(banner).toBeVisible();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('combobox', { name: 'Default capture mode' })).toBeVisible();
  } finally {
    await served.stop();
    data.remove();
  }
});
