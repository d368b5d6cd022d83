import { rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import { openDb } from '../electron/store/db';
import { createWorkload, runScript, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();
const artifacts = 'e2e/artifacts';

test.describe('the restore the user sees', () => {
  const data = tempDir('volsnap-e2e-ux-');
  let workload: TestWorkload;
  let volume: string;
  let served: Served;

  test.beforeAll(async () => {
    const project = uniqueName('e2eux');
    volume = `${project}_data`;
    workload = await createWorkload(docker, {
      project,
      services: [{ name: 'db', volumes: [{ volume, destination: '/data' }] }],
      seed: `echo one > /seed/${volume}/a.txt`,
    });
    cli(data.path, ['capture', workload.id, '--name', 'ux-first', '--mode', 'live']);
    await runScript(docker, [`${volume}:/v`], `echo two > /v/b.txt`);
    cli(data.path, ['capture', workload.id, '--name', 'ux-second', '--mode', 'live']);
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await workload?.remove();
    data.remove();
  });

  test('keyboard only: Enter opens the dialog on the confirmation, Esc goes back to the row', async ({ page }) => {
    const row = await openSnapshots(page, served.url, workload.name, 'ux-first');
    await row.click();
    await expect(row).toBeFocused();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Restore ux-first' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Type ux-first to confirm')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(row).toBeFocused();
  });

  test('the dialog says what is lost and how long it takes; armed Restore is filled red; the safety snapshot is named', async ({
    page,
  }) => {
    const row = await openSnapshots(page, served.url, workload.name, 'ux-first');
    await row.click();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Restore ux-first' });
    await expect(dialog).toContainText(`Changes made since`);
    await expect(dialog).toContainText(`to volume ${volume} will be replaced`);
    await expect(dialog).toContainText(/Expected downtime: about .+, an estimate/);
    await expect(dialog).toContainText('stops within 10 s');
    const restore = dialog.getByRole('button', { name: 'Restore', exact: true });
    await expect(restore).toBeDisabled();
    const disabledLook = await background(restore);
    await page.screenshot({ path: `${artifacts}/ux-01-restore-dialog-light.png` });
    await page.keyboard.type('ux-first');
    await expect(restore).toBeEnabled();
    expect(await background(restore)).not.toBe(disabledLook);
    expect(await background(restore)).toMatch(/^rgb\(\s*19[0-9],/); // the light theme's danger red, filled
    await page.screenshot({ path: `${artifacts}/ux-02-restore-armed-light.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${artifacts}/ux-03-restore-armed-dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });

    await page.keyboard.press('Enter');
    const running = page.getByRole('dialog', { name: 'Restoring ux-first' });
    await expect(running.getByText(/Restored\. Downtime/)).toBeVisible({ timeout: 120_000 });
    await expect(running).toContainText(/in the safety snapshot .+-\d{8}-\d{6}.*, kept until /);
    await page.screenshot({ path: `${artifacts}/ux-04-restore-done.png` });
    await running.getByRole('button', { name: 'Done' }).click();

    // The next restore of this workload predicts its downtime from this one.
    await page.locator('[role="row"][data-snapshot="ux-first"]').dblclick();
    await expect(page.getByRole('dialog', { name: 'Restore ux-first' })).toContainText(
      /Expected downtime: about .+, as the last restore of this workload/,
    );
  });

  test('a container whose image changed since the capture is warned about', async ({ page }) => {
    const db = openDb(data.path);
    try {
      db.prepare(
        `UPDATE snapshots SET provenance = json_set(provenance, '$.containers[0].imageId', 'sha256:' || hex(randomblob(32)))
         WHERE name = 'ux-second'`,
      ).run();
    } finally {
      db.close();
    }
    const row = await openSnapshots(page, served.url, workload.name, 'ux-second');
    await row.dblclick();
    const dialog = page.getByRole('dialog', { name: 'Restore ux-second' });
    const warning = dialog.getByRole('alert').filter({ hasText: 'different image' });
    await expect(warning).toContainText(`${workload.containers[0]}: captured with busybox:latest`);
    await page.screenshot({ path: `${artifacts}/ux-05-image-changed.png` });
  });

  test('a diff against an older snapshot reads forward in time; an added file opens', async ({ page }) => {
    const row = await openSnapshots(page, served.url, workload.name, 'ux-second');
    await row.click();
    await expect(page.getByLabel('Selected snapshot ux-second')).toContainText('1 volume ·');
    await page.getByRole('button', { name: 'Diff…' }).click();
    await page.getByLabel('Compare with').selectOption({ label: 'ux-first (older)' });
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Changes from ux-first');
    const added = page.locator('li[data-change="added"]', { hasText: 'b.txt' });
    await expect(added).toBeVisible();
    await added.getByRole('button', { name: 'b.txt' }).click();
    await expect(page.getByLabel('Unified diff')).toContainText('+two');
    await page.screenshot({ path: `${artifacts}/ux-06-diff-older.png`, fullPage: true });
  });

  test('a diff with no changes shows no filter bar and no empty list', async ({ page }) => {
    // ux-first was restored above, so the live volume holds exactly its contents.
    const row = await openSnapshots(page, served.url, workload.name, 'ux-first');
    await row.click();
    await page.getByRole('button', { name: 'Diff…' }).click();
    await expect(page.getByRole('region', { name: 'Changed files' })).toContainText('No changes.');
    await expect(page.getByLabel('Filter paths')).toHaveCount(0);
  });

  test('delete asks for the name, like the CLI', async ({ page }) => {
    const row = await openSnapshots(page, served.url, workload.name, 'ux-second');
    await row.click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete ux-second?' });
    const confirm = dialog.getByLabel('Type ux-second to confirm');
    await expect(confirm).toBeFocused();
    await expect(dialog.getByRole('button', { name: 'Delete', exact: true })).toBeDisabled();
    await confirm.fill('ux-second');
    await expect(dialog.getByRole('button', { name: 'Delete', exact: true })).toBeEnabled();
    await dialog.getByRole('button', { name: 'Keep it' }).click();
  });

  test('jobs of another process appear live, and their times tick', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: 'Jobs' }).click();
    const captures = page.locator('tr[data-job]', { hasText: 'capture' });
    await expect(captures.first()).toBeVisible(); // the CLI captures of beforeAll
    const before = await captures.count();
    cli(data.path, ['capture', workload.id, '--name', 'ux-from-cli', '--mode', 'live']);
    // No reload: the web host notices the CLI's job in the shared catalog and pushes it.
    await expect(captures).toHaveCount(before + 1);
    const newest = captures.first();
    await expect(newest).toContainText('succeeded');
    const started = newest.locator('td').nth(3);
    const shown = await started.textContent();
    await expect(started).not.toHaveText(shown ?? '');
  });

  test('settings: the data dir is shown, desktop-only settings are not', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByText('Data directory:')).toContainText(data.path);
    await expect(page.getByRole('combobox', { name: 'Default capture mode' })).toBeVisible();
    await expect(page.getByText('Launch at login')).toHaveCount(0);
    await expect(page.getByText('Keep running in the tray')).toHaveCount(0);
  });

  test('engine down: the banner reads without backticks and the snapshots stay browsable', async ({ page }) => {
    // The engine the user was on goes away: lists are scoped to the engine last seen at the
    // endpoint (docs/decisions.md, "Lists are the connected engine's"), so the endpoint must be one
    // that answered before. A symlink to the test engine's socket, removed, stands for it.
    const link = tempDir('volsnap-e2e-down-');
    const socket = path.join(link.path, 'docker.sock');
    symlinkSync(DOCKER_HOST.replace(/^unix:\/\//, ''), socket);
    const up = await startServe(data.path, { DOCKER_HOST: `unix://${socket}` });
    try {
      await page.goto(up.url);
      await expect(page.getByRole('button', { name: `Open snapshots of ${workload.name}` })).toBeVisible();
    } finally {
      await up.stop();
    }
    rmSync(socket);
    const down = await startServe(data.path, { DOCKER_HOST: `unix://${socket}` });
    try {
      await page.goto(down.url);
      const banner = page.getByRole('region', { name: 'Docker Engine status' });
      await expect(banner).toContainText('Docker Engine unavailable');
      expect(await banner.textContent()).not.toContain('`');
      await page.getByRole('button', { name: `Open snapshots of ${workload.name}` }).click();
      await expect(page.locator('[role="row"][data-snapshot="ux-first"]')).toBeVisible();
      await page.screenshot({ path: `${artifacts}/ux-07-engine-down-browsable.png` });
    } finally {
      await down.stop();
      link.remove();
    }
  });
});

test('serve goes away: a disconnected banner, not an engine error; empty lists have no headers', async ({ page }) => {
  const data = tempDir('volsnap-e2e-gone-');
  const served = await startServe(data.path);
  try {
    await page.goto(served.url);
    await page.getByRole('button', { name: 'Jobs' }).click();
    await expect(page.getByText('No finished jobs yet.')).toBeVisible();
    await expect(page.getByRole('columnheader')).toHaveCount(0);
    await served.stop();
    const banner = page.getByRole('region', { name: 'Connection to volsnap serve' });
    await expect(banner).toContainText('Disconnected from volsnap serve');
    await expect(banner).toContainText(/Reconnecting/);
    await expect(page.getByText('EngineUnavailable')).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Docker Engine status' })).toHaveCount(0);
    await page.screenshot({ path: `${artifacts}/ux-08-disconnected.png` });
  } finally {
    await served.stop();
    data.remove();
  }
});

async function openSnapshots(page: Page, url: string, workloadName: string, snapshot: string): Promise<Locator> {
  await page.goto(url);
  await page.getByRole('button', { name: `Open snapshots of ${workloadName}` }).click();
  const row = page.locator(`[role="row"][data-snapshot="${snapshot}"]`);
  await expect(row).toBeVisible();
  return row;
}

function background(locator: Locator): Promise<string> {
  return locator.evaluate((el) => getComputedStyle(el).backgroundColor);
}
