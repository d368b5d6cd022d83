import { expect, test, type Page } from '@playwright/test';
import { DOCKER_HOST, startServe, type Served } from './support/serve';
import { createWorkload, runScript, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();
const artifacts = 'e2e/artifacts';

test.describe('web UI: capture → diff → guarded restore', () => {
  const data = tempDir('volsnap-e2e-');
  let workload: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    const project = uniqueName('e2eweb');
    workload = await createWorkload(docker, {
      project,
      services: [{ name: 'app', volumes: [{ volume: `${project}_data`, destination: '/data' }] }],
      seed: `v=/seed/${project}_data; printf 'mode=original\\nline two\\n' > $v/app.conf; mkdir $v/sub; echo keep > $v/sub/keep.txt`,
    });
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await workload?.remove();
    data.remove();
  });

  test('the whole flow a user follows', async ({ page }) => {
    const volume = workload.volumes[0]!;
    await page.goto(served.url);
    const row = page.locator(`tr[data-workload="${workload.id}"]`);
    await expect(row).toContainText('running');
    await page.screenshot({ path: `${artifacts}/01-workloads.png` });

    await capture(page, workload.name, 'e2e-first');
    await page.getByRole('button', { name: `Open snapshots of ${workload.name}` }).click();
    const first = page.locator('[role="row"][data-snapshot="e2e-first"]');
    await expect(first).toBeVisible();
    await page.screenshot({ path: `${artifacts}/03-snapshots.png` });

    // Change a file behind Volsnap's back, then diff against the live volume (the default).
    await runScript(docker, [`${volume}:/v`], `printf 'mode=changed\\nline two\\n' > /v/app.conf`);
    await first.click();
    await page.getByRole('button', { name: 'Diff…' }).click();
    const modified = page.locator('li[data-change="modified"]', { hasText: 'app.conf' });
    await expect(modified).toBeVisible();
    await modified.getByRole('button', { name: 'app.conf' }).click();
    await expect(page.getByLabel('Unified diff')).toContainText('+mode=changed');
    await page.screenshot({ path: `${artifacts}/04-diff.png`, fullPage: true });
    await page.getByRole('button', { name: '← Snapshots' }).click();

    // Double-click opens the guarded restore: a wrong name keeps Restore disabled.
    await first.dblclick();
    const dialog = page.getByRole('dialog', { name: 'Restore e2e-first' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(volume);
    const confirm = dialog.getByLabel('Type e2e-first to confirm');
    const restore = dialog.getByRole('button', { name: 'Restore', exact: true });
    await expect(dialog.getByLabel('Take a safety snapshot of the current volumes first')).toBeChecked();
    await confirm.fill('e2e-firs');
    await expect(restore).toBeDisabled();
    await confirm.fill('E2E-first');
    await expect(restore).toBeDisabled();
    await page.screenshot({ path: `${artifacts}/05-restore-dialog.png` });
    await confirm.fill('e2e-first');
    await expect(restore).toBeEnabled();
    await restore.click();
    const done = page.getByRole('dialog', { name: 'Restoring e2e-first' });
    await expect(done.getByText(/Restored\. Downtime/)).toBeVisible({ timeout: 120_000 });
    await page.screenshot({ path: `${artifacts}/06-restore-done.png` });
    await done.getByRole('button', { name: 'Done' }).click();

    const content = await runScript(docker, [`${volume}:/v:ro`], 'cat /v/app.conf');
    expect(content).toBe('mode=original\nline two\n');
    await expect(page.locator('[role="row"]', { hasText: 'pre-restore' })).toBeVisible();
    await page.screenshot({ path: `${artifacts}/07-after-restore.png` });

    await page.getByRole('button', { name: 'Jobs' }).click();
    await expect(page.getByRole('heading', { name: 'Jobs' })).toBeVisible();
    await expect(page.locator('tr[data-job]', { hasText: 'restore' }).first()).toContainText('succeeded');
    await page.screenshot({ path: `${artifacts}/08-jobs.png` });
  });
});

/** Captures through the Capture dialog and waits for the job to succeed. */
async function capture(page: Page, workloadName: string, name: string): Promise<void> {
  await page.getByRole('button', { name: `Capture ${workloadName}` }).click();
  const dialog = page.getByRole('dialog', { name: `Capture ${workloadName}` });
  // Dialogs open on their first field, never on the close button.
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Note').fill('taken by the e2e test');
  await dialog.getByLabel('Mode').selectOption('pause');
  await page.screenshot({ path: `${artifacts}/02-capture-dialog.png` });
  await dialog.getByRole('button', { name: 'Capture', exact: true }).click();
  await expect(dialog.getByText('capture · succeeded')).toBeVisible({ timeout: 120_000 });
  await dialog.getByRole('button', { name: 'Done' }).click();
}
