import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { expectAccessible } from './support/axe';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import { openDb } from '../electron/store/db';
import { createWorkload, runScript, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

/**
 * Every screen and dialog in both themes, at 1280×800 and 800×600: a screenshot of each under
 * e2e/screenshots/ (for people to look at; scripts/contact-sheet.mjs lays them out) and an axe
 * check of each (zero serious or critical violations) at the larger size.
 */
process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();
const dir = 'e2e/screenshots';
const THEMES = ['light', 'dark'] as const;
const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
] as const;

test.describe('how it looks, and that axe finds nothing serious', () => {
  const data = tempDir('volsnap-e2e-look-');
  let shop: TestWorkload;
  let empty: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    const project = uniqueName('shop');
    shop = await createWorkload(docker, {
      project,
      services: [
        { name: 'db', volumes: [{ volume: `${project}_pgdata`, destination: '/data' }] },
        { name: 'web', volumes: [{ volume: `${project}_uploads`, destination: '/uploads' }] },
      ],
      seed: `echo one > /seed/${project}_pgdata/a.txt; echo img > /seed/${project}_uploads/logo.txt`,
    });
    const name = uniqueName('empty');
    empty = await createWorkload(docker, {
      services: [{ name, volumes: [{ volume: `${name}-data`, destination: '/data' }] }],
    });
    for (const [i, snap] of ['before-upgrade', 'nightly', 'after-migration', 'release-2'].entries()) {
      if (i > 0) await runScript(docker, [`${project}_pgdata:/v`], `echo ${i} > /v/n${i}.txt`);
      cli(data.path, ['capture', shop.id, '--name', snap, '--mode', 'live', '--note', `note for ${snap}`]);
    }
    cli(data.path, ['pin', 'before-upgrade']);
    // Every trigger kind on the timeline (the CLI records its own as `cli`).
    const db = openDb(data.path);
    try {
      db.prepare(`UPDATE snapshots SET trigger = 'manual' WHERE name = 'before-upgrade'`).run();
      db.prepare(`UPDATE snapshots SET trigger = 'schedule' WHERE name = 'nightly'`).run();
      db.prepare(`UPDATE snapshots SET trigger = 'pre-restore' WHERE name = 'after-migration'`).run();
    } finally {
      db.close();
    }
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await shop?.remove();
    await empty?.remove();
    data.remove();
  });

  for (const theme of THEMES)
    for (const size of SIZES)
      test(`${theme} ${size.width}×${size.height}`, async ({ page }) => {
        test.setTimeout(600_000);
        const check = size.width === 1280;
        let n = 0;
        const shot = async (what: string) => {
          n++;
          await page.screenshot({
            path: `${dir}/${theme}-${size.width}x${size.height}-${String(n).padStart(2, '0')}-${what}.png`,
          });
          if (check) await expectAccessible(page, `${what} (${theme})`);
        };
        await page.setViewportSize(size);
        await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
        await tour(page, served.url, { shop, empty }, shot);
      });
});

async function tour(
  page: Page,
  url: string,
  { shop, empty }: { shop: TestWorkload; empty: TestWorkload },
  shot: (what: string) => Promise<void>,
): Promise<void> {
  await page.goto(url);
  await expect(page.locator(`tr[data-workload="${shop.id}"]`)).toContainText('running');
  await shot('overview');

  await page.getByRole('button', { name: `Open snapshots of ${shop.name}` }).click();
  const row = page.locator('[role="row"][data-snapshot="nightly"]');
  await row.click();
  await expect(page.getByLabel('Selected snapshot nightly')).toBeVisible();
  await shot('snapshots');

  await page.locator('.timeline [data-mark="before-upgrade"]').hover();
  await expect(page.getByRole('tooltip')).toContainText('before-upgrade');
  await shot('timeline-hover');

  await row.click({ button: 'right' });
  await expect(page.getByRole('menu', { name: 'Actions for nightly' })).toBeVisible();
  await shot('context-menu');
  await page.keyboard.press('Escape');

  await page.keyboard.press('ControlOrMeta+k');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await palette.getByRole('combobox').fill('release');
  await expect(palette.getByRole('option', { name: /Restore release-2/ })).toBeVisible();
  await shot('command-palette');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: `Capture ${shop.name}` }).click();
  await expect(page.getByRole('dialog', { name: `Capture ${shop.name}` })).toBeVisible();
  await shot('capture-dialog');
  await page.keyboard.press('Escape');

  await row.dblclick();
  const restore = page.getByRole('dialog', { name: 'Restore nightly' });
  await expect(restore).toContainText('will be replaced');
  await shot('restore-dialog');
  await page.keyboard.type('nightly');
  await expect(restore.getByRole('button', { name: 'Restore', exact: true })).toBeEnabled();
  await shot('restore-armed');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Rename / note…' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await shot('edit-dialog');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Delete…' }).click();
  await expect(page.getByRole('dialog', { name: 'Delete nightly?' })).toBeVisible();
  await shot('delete-dialog');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Diff…' }).click();
  await expect(page.getByRole('region', { name: 'Changed files' })).toBeVisible();
  await shot('diff');

  await page.getByRole('button', { name: `Open snapshots of ${empty.name}` }).click();
  await expect(page.getByText('No snapshots yet')).toBeVisible();
  await shot('empty-workload');

  await page.getByRole('button', { name: 'Jobs' }).click();
  await expect(page.locator('tr[data-job]').first()).toBeVisible();
  await shot('jobs');

  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('radiogroup', { name: 'Theme' })).toBeVisible();
  await shot('settings');

  await page.getByRole('button', { name: 'All snapshots' }).click();
  await expect(page.getByRole('table', { name: 'All snapshots' })).toContainText('nightly');
  await shot('all-snapshots');

  await page.getByRole('button', { name: 'Storage' }).click();
  await expect(page.getByRole('heading', { name: 'Storage' })).toBeVisible();
  await shot('storage');
}
