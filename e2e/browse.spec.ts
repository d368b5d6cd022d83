import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectAccessible } from './support/axe';
import { seedSnapshots } from './support/seed-catalog';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import {
  createWorkload,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
  type TreeEntry,
} from '../test/engine';

process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();

test.describe('looking inside snapshots, and every snapshot in one place', () => {
  const data = tempDir('volsnap-e2e-browse-');
  let kept: TestWorkload;
  let gone: TestWorkload;
  let served: Served;
  const goneVolume = uniqueName('gone');
  /** The removed workload's volume as it was captured (busybox's view, not Volsnap's). */
  let goneCaptured: TreeEntry[];

  test.beforeAll(async () => {
    const keptVolume = uniqueName('browse');
    kept = await createWorkload(docker, {
      services: [{ name: uniqueName('browseapp'), volumes: [{ volume: keptVolume, destination: '/data' }] }],
      seed: `mkdir -p /seed/${keptVolume}/conf && printf 'port: 8080\\n' > /seed/${keptVolume}/conf/app.yml`,
    });
    cli(data.path, ['capture', kept.id, '--name', 'browse-one', '--mode', 'live']);
    gone = await createWorkload(docker, {
      services: [{ name: uniqueName('goneapp'), volumes: [{ volume: goneVolume, destination: '/data' }] }],
      seed: `echo bye > /seed/${goneVolume}/last.txt`,
    });
    cli(data.path, ['capture', gone.id, '--name', 'gone-one', '--mode', 'live']);
    goneCaptured = await volumeTree(docker, goneVolume);
    // The workload goes away; its volume and snapshot stay, and the volume changes afterwards.
    for (const name of gone.containers) await docker.getContainer(name).remove({ force: true });
    await runScript(docker, [`${goneVolume}:/v`], 'echo changed > /v/last.txt; echo extra > /v/extra.txt');
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

  test('a removed workload’s snapshot is found in All snapshots, restored from there, and the volume holds it again', async ({
    page,
  }) => {
    await page.goto(served.url);
    // The sidebar keeps the workload, marked removed, as long as it has snapshots.
    await expect(page.locator(`[data-sidebar-workload="${gone.id}"]`)).toContainText('removed', { timeout: 120_000 });
    const row = await findInAllSnapshots(page, 'gone-one');
    await expect(row).toContainText('removed');
    await expect(page.locator('tr[data-snapshot="browse-one"]')).toHaveCount(0);
    await row.click();
    await expect(page.getByRole('region', { name: 'Selected snapshot gone-one' })).toBeVisible();
    await page.screenshot({ path: 'e2e/artifacts/browse-02-all-snapshots.png' });
    await row.dblclick();
    const dialog = page.getByRole('dialog', { name: 'Restore gone-one' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(goneVolume);
    const restore = dialog.getByRole('button', { name: 'Restore', exact: true });
    await expect(restore).toBeDisabled();
    await dialog.getByLabel('Type gone-one to confirm').fill('gone-one');
    await restore.click();
    const running = page.getByRole('dialog', { name: 'Restoring gone-one' });
    await expect(running.getByText(/Restored\. Downtime/)).toBeVisible({ timeout: 120_000 });
    await expect(running).toContainText('The previous contents are in the safety snapshot');
    await page.screenshot({ path: 'e2e/artifacts/browse-03-restored.png' });
    await running.getByRole('button', { name: 'Done' }).click();
    // The volume holds the snapshot again, as the engine sees it...
    expect(await volumeTree(docker, goneVolume)).toEqual(goneCaptured);
    // ...and as the user sees it: a safety snapshot holds what the volume had, and the app's diff
    // from the restored snapshot to it shows the file that existed only then.
    const restored = await findInAllSnapshots(page, gone.name, 'gone-one');
    const rows = page.locator('tr[data-snapshot]');
    await expect(rows).toHaveCount(2);
    const safety = rows.filter({ hasText: 'safety (pre-restore)' });
    await expect(safety).toHaveCount(1);
    const safetyName = await safety.getAttribute('data-snapshot');
    await restored.click();
    await actions(page).getByRole('button', { name: /Diff/ }).click();
    await page.getByRole('combobox', { name: 'Compare with' }).selectOption({ label: `${safetyName} (newer)` });
    await expect(page.getByRole('heading', { name: /Changes from gone-one .* to / })).toBeVisible();
    await expect(page.getByText('extra.txt').first()).toBeVisible({ timeout: 60_000 });
  });
});

/**
 * A store of 3,000 snapshots of a workload that is gone (seeded straight into the catalog: no
 * archives, enough for the list, not for a restore). Every one is listed, only a window of rows is
 * in the DOM, and the last can be scrolled to, by mouse or keyboard, and opened.
 */
test.describe('All snapshots with 3,000 snapshots', () => {
  const COUNT = 3000;
  const data = tempDir('volsnap-e2e-browse3k-');
  const workload = { id: uniqueName('seedgone'), name: uniqueName('seedgone') };
  let served: Served;

  test.beforeAll(async () => {
    seedSnapshots(data.path, workload, COUNT);
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    data.remove();
  });

  test('every snapshot is listed, virtualized; the last is scrolled to and opened', async ({ page }) => {
    await openAllSnapshots(page, served.url);
    await expect(page.locator('.header-meta')).toContainText(`${COUNT} snapshots shown of ${COUNT}`);
    const table = page.getByRole('table', { name: 'All snapshots' });
    await expect(table).toHaveAttribute('aria-rowcount', String(COUNT + 1));
    await expect(page.locator('tr[data-snapshot="seeded-02999"]')).toContainText('removed');
    const rendered = await page.locator('tr[data-snapshot]').count();
    expect(rendered, 'only a window of rows is in the DOM').toBeLessThan(100);
    await table.locator('xpath=..').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const last = page.locator('tr[data-snapshot="seeded-00000"]');
    await expect(last).toBeVisible();
    await expect(last).toHaveAttribute('aria-rowindex', String(COUNT + 1));
    await last.click();
    await expect(page.getByRole('region', { name: 'Selected snapshot seeded-00000' })).toBeVisible();
    await page.screenshot({ path: 'e2e/artifacts/browse-05-3000-scrolled-to-the-end.png' });
    await last.dblclick();
    await expect(page.getByRole('dialog', { name: 'Restore seeded-00000' })).toBeVisible();
  });

  test('the keyboard reaches the last row and back, and Enter opens the restore dialog', async ({ page }) => {
    await openAllSnapshots(page, served.url);
    await page.locator('tr[data-snapshot="seeded-02999"]').click();
    await page.keyboard.press('End');
    const last = page.locator('tr[data-snapshot="seeded-00000"]');
    await expect(last).toBeFocused();
    await expect(last).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('region', { name: 'Selected snapshot seeded-00000' })).toBeVisible();
    await page.keyboard.press('ArrowUp');
    await expect(page.locator('tr[data-snapshot="seeded-00001"]')).toBeFocused();
    await page.keyboard.press('PageUp');
    await expect(page.locator('tr[data-snapshot="seeded-00011"]')).toBeFocused();
    await page.keyboard.press('Home');
    const first = page.locator('tr[data-snapshot="seeded-02999"]');
    await expect(first).toBeFocused();
    await expect(first).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('End');
    await expect(last).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: 'Restore seeded-00000' })).toBeVisible();
  });

  test('search and sort work over all of them; no serious axe finding in light or dark', async ({ page }) => {
    await openAllSnapshots(page, served.url);
    const search = page.getByRole('searchbox', { name: /Search snapshots/ });
    await search.fill('seeded-0123');
    await expect(page.locator('tr[data-snapshot]')).toHaveCount(10);
    await expect(page.locator('.header-meta')).toContainText(`10 snapshots shown of ${COUNT}`);
    await search.fill('');
    // Every tenth seeded snapshot is scheduled; none is pinned.
    await page.getByRole('combobox', { name: 'Trigger' }).selectOption('schedule');
    await expect(page.locator('.header-meta')).toContainText(`300 snapshots shown of ${COUNT}`);
    await page.getByRole('checkbox', { name: 'Pinned only' }).check();
    await expect(page.getByText('No snapshot matches these filters.')).toBeVisible();
    await page.getByRole('checkbox', { name: 'Pinned only' }).uncheck();
    await page.getByRole('combobox', { name: 'Trigger' }).selectOption('');
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('oldest');
    await expect(page.locator('tr[data-snapshot]').first()).toHaveAttribute('data-snapshot', 'seeded-00000');
    await page.locator('tr[data-snapshot="seeded-00003"]').click();
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
      await expect(page.getByRole('region', { name: 'Selected snapshot seeded-00003' })).toBeVisible();
      await page.screenshot({ path: `e2e/artifacts/browse-04-3000-${theme}.png` });
      await expectAccessible(page, `All snapshots, 3,000 rows (${theme})`);
    }
  });
});

function actions(page: Page): Locator {
  return page.getByRole('toolbar', { name: 'Snapshot actions' });
}

async function openAllSnapshots(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'All snapshots' }).click();
  // Generous: the e2e machine is shared and often loaded; nothing here measures speed.
  await expect(page.getByRole('table', { name: 'All snapshots' })).toBeVisible({ timeout: 120_000 });
}

/** Goes to All snapshots, searches by `query`, and returns the row of the snapshot named `name`. */
async function findInAllSnapshots(page: Page, query: string, name = query): Promise<Locator> {
  await page.getByRole('button', { name: 'All snapshots' }).click();
  await page.getByRole('searchbox', { name: /Search snapshots/ }).fill(query);
  const row = page.locator(`tr[data-snapshot="${name}"]`);
  await expect(row).toBeVisible({ timeout: 120_000 });
  return row;
}
