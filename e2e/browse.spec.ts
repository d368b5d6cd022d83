import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import { createWorkload, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();

test.describe('looking inside snapshots, and every snapshot in one place', () => {
  const data = tempDir('volsnap-e2e-browse-');
  let kept: TestWorkload;
  let gone: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    const keptVolume = uniqueName('browse');
    kept = await createWorkload(docker, {
      services: [{ name: uniqueName('browseapp'), volumes: [{ volume: keptVolume, destination: '/data' }] }],
      seed: `mkdir -p /seed/${keptVolume}/conf && printf 'port: 8080\\n' > /seed/${keptVolume}/conf/app.yml`,
    });
    cli(data.path, ['capture', kept.id, '--name', 'browse-one', '--mode', 'live']);
    const goneVolume = uniqueName('gone');
    gone = await createWorkload(docker, {
      services: [{ name: uniqueName('goneapp'), volumes: [{ volume: goneVolume, destination: '/data' }] }],
      seed: `echo bye > /seed/${goneVolume}/last.txt`,
    });
    cli(data.path, ['capture', gone.id, '--name', 'gone-one', '--mode', 'live']);
    // The workload goes away; its volume and snapshot stay.
    for (const name of gone.containers) await docker.getContainer(name).remove({ force: true });
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await kept?.remove();
    await gone?.remove();
    data.remove();
  });

  test('browse a snapshot, preview a text file and download it', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: `Open snapshots of ${kept.name}` }).click();
    const row = page.locator(`[role="row"][data-snapshot="browse-one"]`);
    await row.click();
    await page
      .getByRole('toolbar', { name: 'Snapshot actions' })
      .getByRole('button', { name: /Browse files/ })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Files in browse-one' });
    await expect(dialog).toBeVisible();
    await dialog.locator('tr[data-path="conf"]').dblclick();
    const file = dialog.locator('tr[data-path="conf/app.yml"]');
    await expect(file).toContainText('0644');
    await file.click();
    await expect(dialog.getByLabel('Preview of app.yml')).toHaveText('port: 8080\n');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('link', { name: /Download file/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('app.yml');
    expect(readFileSync(await download.path(), 'utf8')).toBe('port: 8080\n');
    await page.screenshot({ path: 'e2e/artifacts/browse-01-file.png' });
  });

  test('a removed workload’s snapshot is in All snapshots, marked, and opens its restore dialog', async ({ page }) => {
    await page.goto(served.url);
    // The sidebar keeps the workload, marked removed, as long as it has snapshots.
    await expect(page.locator(`[data-sidebar-workload="${gone.id}"]`)).toContainText('removed');
    await page.getByRole('button', { name: 'All snapshots' }).click();
    await page.getByRole('searchbox', { name: /Search snapshots/ }).fill('gone-one');
    const row = page.locator('tr[data-snapshot="gone-one"]');
    await expect(row).toContainText('removed');
    await expect(page.locator('tr[data-snapshot="browse-one"]')).toHaveCount(0);
    await row.click();
    await expect(page.getByRole('region', { name: 'Selected snapshot gone-one' })).toBeVisible();
    await page.screenshot({ path: 'e2e/artifacts/browse-02-all-snapshots.png' });
    await row.dblclick();
    await expect(page.getByRole('dialog', { name: 'Restore gone-one' })).toBeVisible();
  });
});
