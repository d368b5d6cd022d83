import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectAccessible } from './support/axe';
import { DOCKER_HOST, startServe, type Served } from './support/serve';
import { seedUsageStore } from '../electron/store/store-usage.test-util';
import { tempDir } from '../test/engine';

/**
 * The Storage screen (issue 18, usage and quota): what the store holds, what deduplication saves,
 * what deleting each workload and snapshot frees; a limit set in Settings shows as a meter, with a
 * warning once the store is within 10 % of it. Screenshots in both themes under e2e/screenshots/.
 */
process.env.DOCKER_HOST = DOCKER_HOST;
const dir = 'e2e/screenshots';

test.describe('Storage screen', () => {
  const data = tempDir('volsnap-e2e-usage-');
  let served: Served;

  test.beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    // Two workloads, format 1 and 2 snapshots, a chunk two snapshots share (store-usage.test-util.ts).
    seedUsageStore(data.path);
    // A space reserve as the sweep leaves it in a store of some size (store/space-reserve.ts).
    writeFileSync(path.join(data.path, 'space-reserve'), '');
    truncateSync(path.join(data.path, 'space-reserve'), 64 * 1024 * 1024);
    served = await startServe(data.path);
  });
  test.afterAll(async () => {
    await served?.stop();
    data.remove();
  });

  const openStorage = async (page: Page) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Storage' }).click();
    await expect(page.getByRole('heading', { name: 'Storage', level: 1 })).toBeVisible();
  };
  const figure = (page: Page, label: string) =>
    page
      .locator('.storage-figure')
      .filter({ has: page.getByText(label, { exact: true }) })
      .locator('dd');

  test('shows totals, savings and what deleting frees; a limit from Settings brings a meter and a warning', async ({
    page,
  }) => {
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await page.goto(served.url);
    await openStorage(page);
    await expect(figure(page, 'Stored on disk')).toHaveText('3.5 MB');
    await expect(figure(page, 'Without deduplication')).toHaveText('5.4 MB');
    await expect(figure(page, 'Deduplication saves')).toHaveText('2.0 MB');
    await expect(figure(page, 'Disk free')).toHaveText(/\d+(\.\d)? [KMGT]?B/);
    await expect(page.getByText('No store size limit.')).toBeVisible();
    await expect(
      page.getByText('64 MB of the disk is kept in reserve, so snapshots can still be deleted and exported'),
    ).toBeVisible();

    const workloads = page.getByRole('table', { name: 'Storage by workload' });
    await expect(workloads.getByRole('row').nth(1)).toHaveText(['web', '3', '4.4 MB', '2.4 MB'].join(''));
    await expect(workloads.getByRole('row').nth(2)).toHaveText(['db', '1', '1.0 MB', '1.0 MB'].join(''));
    const snapshots = page.getByRole('table', { name: 'Storage by snapshot' });
    // Newest first; web-2 shares its 2 MB chunk with web-3, so deleting it frees only its own 10 KB.
    await expect(snapshots.getByRole('row').nth(1)).toContainText('db-1');
    const web2 = snapshots.getByRole('row', { name: /web-2/ });
    await expect(web2).toContainText('pinned');
    await expect(web2.getByRole('cell').nth(3)).toHaveText('2.0 MB');
    await expect(web2.getByRole('cell').nth(4)).toHaveText('10 KB');
    await expect(snapshots.getByRole('row', { name: /web-1/ }).getByRole('cell').nth(4)).toHaveText('300 KB');
    await page.screenshot({ path: `${dir}/usage-light-storage.png` });
    await expectAccessible(page, 'storage (light)');

    // A limit the store is within 10 % of: Settings takes "3.8 MB" as typed.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    const limit = page.getByRole('textbox', { name: /Store size limit/ });
    await limit.fill('3.8 MB');
    await page.getByRole('button', { name: /Save Store size limit/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
    await expect(limit).toHaveValue('3.8 MB');
    await limit.fill('lots');
    await page.getByRole('button', { name: /Save Store size limit/ }).click();
    await expect(page.getByText(/Invalid value for maxStoreBytes: a size such as 20 GB/)).toBeVisible();

    await openStorage(page);
    await expect(page.getByRole('status').filter({ hasText: 'Store near its limit: 3.5 MB of 3.8 MB' })).toBeVisible();
    await expect(page.getByRole('meter', { name: 'Store limit' })).toBeVisible();
    await expect(page.getByText('3.5 MB of 3.8 MB limit')).toBeVisible();
    await page.screenshot({ path: `${dir}/usage-light-storage-limit.png` });

    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await expect(page.getByRole('meter', { name: 'Store limit' })).toBeVisible();
    await page.screenshot({ path: `${dir}/usage-dark-storage-limit.png` });
    await expectAccessible(page, 'storage with a limit (dark)');
  });
});
