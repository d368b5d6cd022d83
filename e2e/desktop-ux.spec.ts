import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import { createWorkload, runScript, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

/**
 * Speed of use and the desktop layout: the palette, the shortcuts, the row's context menu, the
 * timeline, the theme switch, the remembered panes, job toasts for jobs started elsewhere and the
 * job strip's cancel. Each test does what a keyboard or mouse user does and checks what they see.
 */
process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();

test.describe('desktop layout and keyboard', () => {
  const data = tempDir('volsnap-e2e-desk-');
  let workload: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    const project = uniqueName('desk');
    workload = await createWorkload(docker, {
      project,
      services: [{ name: 'db', volumes: [{ volume: `${project}_data`, destination: '/data' }] }],
      seed: `echo one > /seed/${project}_data/a.txt`,
    });
    cli(data.path, ['capture', workload.id, '--name', 'desk-first', '--mode', 'live']);
    await runScript(docker, [`${project}_data:/v`], 'echo two > /v/b.txt');
    cli(data.path, ['capture', workload.id, '--name', 'desk-second', '--mode', 'live']);
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await workload?.remove();
    data.remove();
  });

  async function openWorkload(page: Page) {
    await page.goto(served.url);
    await page.getByRole('button', { name: `Open snapshots of ${workload.name}` }).click();
    await expect(page.locator('[role="row"][data-snapshot="desk-first"]')).toBeVisible();
  }

  test('Ctrl/Cmd+K finds a snapshot by typing and opens its restore; Esc gives focus back', async ({ page }) => {
    await openWorkload(page);
    const row = page.locator('[role="row"][data-snapshot="desk-second"]');
    await row.click();
    await page.keyboard.press('ControlOrMeta+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await expect(palette.getByRole('combobox')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(palette).toBeHidden();
    await expect(row).toBeFocused();

    await page.keyboard.press('ControlOrMeta+k');
    await page.keyboard.type('desk-fir');
    await expect(palette.getByRole('option')).toHaveText([/Restore desk-first/, /Diff desk-first/, /Show desk-first/]);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: 'Restore desk-first' })).toBeVisible();
  });

  test('the palette opens a workload and diffs a snapshot from anywhere', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.keyboard.press('ControlOrMeta+k');
    await page.keyboard.type(`open ${workload.name}`);
    // Enter acts on the highlighted command: wait until the palette has filtered and highlighted it.
    await expect(page.locator('[cmdk-item][aria-selected="true"]')).toContainText(workload.name);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toContainText(workload.name);
    await page.keyboard.press('ControlOrMeta+k');
    await page.keyboard.type('desk-second');
    await page.getByRole('option', { name: /Diff desk-second/ }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Changes since desk-second');
  });

  test('Ctrl/Cmd+S captures, Ctrl/Cmd+D diffs the selected snapshot', async ({ page }) => {
    await openWorkload(page);
    await page.keyboard.press('ControlOrMeta+s');
    const capture = page.getByRole('dialog', { name: `Capture ${workload.name}` });
    await expect(capture.getByLabel('Name')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(capture).toBeHidden();
    await page.locator('[role="row"][data-snapshot="desk-first"]').click();
    await page.keyboard.press('ControlOrMeta+d');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Changes since desk-first');
  });

  test('the row menu opens from the keyboard (Shift+F10) and from a right-click, and runs its action', async ({
    page,
  }) => {
    await openWorkload(page);
    const row = page.locator('[role="row"][data-snapshot="desk-first"]');
    await row.click();
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Actions for desk-first' });
    await expect(menu.getByRole('menuitem', { name: /^Restore…/ })).toBeFocused();
    await page.keyboard.press('ArrowUp'); // wraps to the last item
    await expect(menu.getByRole('menuitem', { name: /Delete/ })).toBeFocused();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete desk-first?' });
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(row).toBeFocused();

    await page.locator('[role="row"][data-snapshot="desk-second"]').click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Actions for desk-second' })
      .getByRole('menuitem', { name: /Rename/ })
      .click();
    await expect(page.getByRole('dialog', { name: /desk-second/ })).toBeVisible();
  });

  test('a workload row has a context menu too (in the browser, the in-page one)', async ({ page }) => {
    await page.goto(served.url);
    const row = page.locator(`tr[data-workload="${workload.id}"]`);
    await row.click({ button: 'right' });
    const menu = page.getByRole('menu', { name: `Actions for ${workload.name}` });
    await menu.getByRole('menuitem', { name: 'Capture…' }).click();
    await expect(page.getByRole('dialog', { name: `Capture ${workload.name}` })).toBeVisible();
    await page.keyboard.press('Escape');
    await row.getByRole('button', { name: workload.name, exact: true }).focus();
    await page.keyboard.press('Shift+F10');
    await expect(menu.getByRole('menuitem', { name: 'Open snapshots' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toContainText(workload.name);
  });

  test('a mark on the timeline selects its snapshot; the details pane shows it', async ({ page }) => {
    await openWorkload(page);
    await expect(page.getByText('Select a snapshot to act on it.')).toBeVisible();
    await page.locator('.timeline [data-mark="desk-first"]').click();
    const details = page.getByRole('region', { name: 'Selected snapshot desk-first' });
    await expect(details).toContainText('Trigger');
    await expect(details).toContainText('CLI');
    await expect(page.locator('[role="row"][data-snapshot="desk-first"]')).toHaveAttribute('aria-selected', 'true');
  });

  test('the theme follows the OS until Settings fixes it; the choice survives a reload', async ({ page }) => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(served.url);
    const dark = await background();
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    expect(light).not.toBe(dark);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    expect(await background()).toBe(dark);
    await page.reload();
    expect(await background()).toBe(dark);
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('radio', { name: 'Dark' })).toBeChecked();
    await page.getByRole('radio', { name: 'System' }).check();
    expect(await background()).toBe(light);
  });

  test('the sidebar keeps the width it was given (keyboard resize) across a reload', async ({ page }) => {
    await page.goto(served.url);
    const sidebar = page.getByRole('navigation', { name: 'Main' });
    const before = (await sidebar.boundingBox())!.width;
    await page.getByRole('separator', { name: 'Resize the sidebar' }).focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await sidebar.boundingBox())!.width).toBeGreaterThan(before + 20);
    const resized = (await sidebar.boundingBox())!.width;
    await page.reload();
    await expect.poll(async () => Math.round((await sidebar.boundingBox())!.width)).toBe(Math.round(resized));
  });

  test('a job started elsewhere (the CLI) ends in a toast', async ({ page }) => {
    await openWorkload(page);
    cli(data.path, ['capture', workload.id, '--name', 'desk-from-cli', '--mode', 'live']);
    const toasts = page.getByRole('region', { name: 'Notifications' });
    await expect(toasts).toContainText(`Capture of ${workload.name} succeeded`);
    await expect(page.locator('[role="row"][data-snapshot="desk-from-cli"]')).toBeVisible();
  });
});

// A small window (800×600) shows every workload without a sideways scroll: long names are cut
// with an ellipsis (whole in the tooltip) and the Containers and Volumes columns give way to
// counts. Screenshots at both sizes and themes go to e2e/screenshots/ for people to look at.
test('All workloads fits the window at 800×600 and at 1280×800, in both themes', async ({ page }) => {
  test.setTimeout(300_000);
  const data = tempDir('volsnap-e2e-fit-');
  const project = uniqueName('a-compose-project-with-a-rather-long-name');
  const workload = await createWorkload(docker, {
    project,
    services: ['database-primary', 'uploads-worker', 'search-indexer'].map((name) => ({
      name,
      volumes: [{ volume: `${project}_${name}-data`, destination: '/data' }],
    })),
  });
  const served = await startServe(data.path);
  try {
    mkdirSync('e2e/screenshots', { recursive: true });
    for (const theme of ['light', 'dark'] as const)
      for (const size of [
        { width: 800, height: 600 },
        { width: 1280, height: 800 },
      ]) {
        await page.setViewportSize(size);
        await page.emulateMedia({ colorScheme: theme });
        await page.goto(served.url);
        const row = page.locator(`tr[data-workload="${workload.id}"]`);
        await expect(row).toContainText('running');
        await page.screenshot({ path: `e2e/screenshots/workloads-${theme}-${size.width}x${size.height}.png` });
        const main = page.getByRole('main');
        const fit = await main.evaluate((m) => ({ scroll: m.scrollWidth, client: m.clientWidth }));
        expect(fit.scroll, `All workloads scrolls sideways at ${size.width}×${size.height}`).toBeLessThanOrEqual(
          fit.client,
        );
        // A name cut short is whole in its tooltip.
        await expect(row.getByRole('button', { name: project, exact: true })).toHaveAttribute('title', project);
        // What a narrow window hides is still there: the counts under the name.
        if (size.width === 800) await expect(row).toContainText('3 containers, 3 volumes');
        else await expect(row).toContainText(`${project}-search-indexer-1`);
      }
  } finally {
    await served.stop();
    await workload.remove();
    data.remove();
  }
});

// The cancel a user makes while the strip says "capturing": the job ends cancelled and nothing is
// stored. That moment is mostly the Engine's wait before the volume's first byte (a second or
// more), where a cancel used to be lost and the capture stored the snapshot anyway ("succeeded");
// the old test clicked during the preparation, so it passed only on a loaded machine.
test('the job strip shows a running capture on every screen and cancels it', async ({ page }) => {
  test.setTimeout(600_000);
  const data = tempDir('volsnap-e2e-strip-');
  const name = uniqueName('strip');
  const workload = await createWorkload(docker, {
    services: [{ name, volumes: [{ volume: `${name}-data`, destination: '/data' }] }],
    // Incompressible, so the capture runs long enough to be seen; many files, so cancel lands between two.
    seed: `for i in $(seq 1 300); do dd if=/dev/urandom of=/seed/${name}-data/f$i.bin bs=1M count=1 2>/dev/null; done`,
  });
  const served = await startServe(data.path);
  try {
    await page.goto(served.url);
    await page.getByRole('button', { name: `Open snapshots of ${workload.name}` }).click();
    await page.getByRole('button', { name: 'Capture now' }).click();
    const dialog = page.getByRole('dialog', { name: `Capture ${workload.name}` });
    await dialog.getByLabel('Mode').selectOption('live');
    await dialog.getByRole('button', { name: 'Capture', exact: true }).click();
    await page.keyboard.press('Escape'); // the job goes on without the dialog
    await page.getByRole('button', { name: 'Settings' }).click();
    const strip = page.getByRole('region', { name: 'Running jobs' });
    await expect(strip.getByRole('progressbar', { name: `capture of ${workload.name} progress` })).toBeVisible();
    // Cancel once the strip says "capturing" and before any byte is counted (the Engine's wait).
    await strip.locator('.strip-text', { hasText: /· capturing$/ }).waitFor();
    await strip.getByRole('button', { name: `Cancel capture of ${workload.name}` }).click();
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(
      `Capture of ${workload.name} was cancelled`,
      { timeout: 120_000 },
    );
    await expect(strip).toContainText('No job running');
    // What the user finds afterwards: the job listed as cancelled, and no snapshot kept.
    await page.getByRole('button', { name: 'Jobs' }).click();
    const row = page.getByRole('row').filter({ hasText: 'capture' }).filter({ hasText: workload.name });
    await expect(row).toContainText('cancelled');
    await expect(row).toContainText('The job was cancelled.');
    await page.getByRole('button', { name: `Open snapshots of ${workload.name}` }).click();
    await expect(page.getByText('No snapshots yet')).toBeVisible();
    expect(cli(data.path, ['list', workload.id])).toEqual([]);
  } finally {
    await served.stop();
    await workload.remove();
    data.remove();
  }
});
