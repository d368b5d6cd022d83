import { expect, test } from '@playwright/test';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import { createWorkload, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();

test.describe('snapshots travel as files: Export… and Import… in the browser', () => {
  const data = tempDir('volsnap-e2e-bundles-');
  const files = tempDir('volsnap-e2e-bundle-files-');
  let workload: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    const volume = uniqueName('bundle');
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('bundleapp'), volumes: [{ volume, destination: '/data' }] }],
      seed: `echo hello > /seed/${volume}/greeting.txt`,
    });
    cli(data.path, ['capture', workload.id, '--name', 'to-travel', '--mode', 'live']);
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await workload?.remove();
    data.remove();
    files.remove();
  });

  test('export a snapshot as a download, import it back by upload, and see it marked imported', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: `Open snapshots of ${workload.name}` }).click();
    await page.locator('[role="row"][data-snapshot="to-travel"]').click();
    await page
      .getByRole('toolbar', { name: 'Snapshot actions' })
      .getByRole('button', { name: /Export/ })
      .click();
    const exportDialog = page.getByRole('dialog', { name: 'Export to-travel' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      exportDialog.getByRole('link', { name: /Download to-travel\.volsnap/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('to-travel.volsnap');
    const bundle = `${files.path}/to-travel.volsnap`;
    await download.saveAs(bundle);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'All snapshots' }).click();
    await page.getByRole('button', { name: /Import/ }).click();
    const importDialog = page.getByRole('dialog', { name: 'Import a snapshot' });
    await importDialog.getByLabel('Bundle file').setInputFiles(bundle);
    const result = importDialog.getByRole('status').filter({ hasText: 'Imported as' });
    await expect(result).toBeVisible({ timeout: 120_000 });
    const name = /Imported as “(.+)” into/.exec((await result.textContent()) ?? '')?.[1];
    expect(name).toBeTruthy();
    expect(name).not.toBe('to-travel');
    await importDialog.getByRole('button', { name: 'Close', exact: true }).click();

    const row = page.locator(`tr[data-snapshot="${name}"]`);
    await row.click();
    const details = page.getByRole('region', { name: `Selected snapshot ${name}` });
    await expect(details).toContainText('Imported');
    await expect(details).toContainText('to-travel.volsnap');
    await page.screenshot({ path: 'e2e/artifacts/bundles-01-imported.png' });
  });
});
