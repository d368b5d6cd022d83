import { expect, test, type Locator, type Page } from '@playwright/test';
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

/**
 * After `docker compose down -v` of part of a stack: its containers removed and one volume gone.
 * From the UI, the user restores the snapshot (the volume is made again with its compose labels,
 * no container appears) and clones it into new volumes.
 */
test.describe('restore and clone a removed workload from the UI', () => {
  const data = tempDir('volsnap-e2e-removed-');
  const project = uniqueName('e2egone');
  const kept = `${project}_data`;
  const removed = `${project}_cache`;
  const labels = (key: string) => ({
    'io.volsnap.test': '1',
    'com.docker.compose.project': project,
    'com.docker.compose.volume': key,
  });
  let workload: TestWorkload;
  let served: Served;
  let captured: Record<string, TreeEntry[]>;

  test.beforeAll(async () => {
    await docker.createVolume({ Name: kept, Labels: labels('data') });
    await docker.createVolume({ Name: removed, Labels: labels('cache') });
    workload = await createWorkload(docker, {
      project,
      services: [
        { name: 'db', volumes: [{ volume: kept, destination: '/data' }] },
        { name: 'cache', volumes: [{ volume: removed, destination: '/cache' }] },
      ],
      seed: `echo one > /seed/${kept}/a.txt; mkdir /seed/${removed}/c; echo c > /seed/${removed}/c/entry`,
    });
    cli(data.path, ['capture', workload.id, '--name', `${project}-snap`, '--mode', 'live']);
    captured = { [kept]: await volumeTree(docker, kept), [removed]: await volumeTree(docker, removed) };
    for (const c of workload.containers) await docker.getContainer(c).remove({ force: true });
    await docker.getVolume(removed).remove();
    await runScript(docker, [`${kept}:/v`], 'echo later > /v/a.txt; echo new > /v/b.txt');
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await workload?.remove();
    for (const v of [`${kept}-copy`, `${removed}-copy`])
      await docker
        .getVolume(v)
        .remove()
        .catch(() => undefined);
    data.remove();
  });

  test('restores the snapshot: the removed volume is created again with its labels, no container appears', async ({
    page,
  }) => {
    const dialog = await openRestore(page, served.url, project, `${project}-snap`);
    await expect(dialog).toContainText(`${removed}`);
    await expect(dialog).toContainText('will be created');
    await expect(dialog).toContainText('None exist: only the volumes are restored');
    await expect(dialog.getByRole('checkbox', { name: kept })).toBeChecked();
    await expect(dialog.getByRole('checkbox', { name: removed })).toBeChecked();
    await page.keyboard.type(`${project}-snap`);
    await page.keyboard.press('Enter');
    const running = page.getByRole('dialog', { name: `Restoring ${project}-snap` });
    await expect(running.getByText(/Restored\. Downtime/)).toBeVisible({ timeout: 120_000 });
    expect(await volumeTree(docker, kept)).toEqual(captured[kept]);
    expect(await volumeTree(docker, removed)).toEqual(captured[removed]);
    const info = (await docker.getVolume(removed).inspect()) as { Labels: Record<string, string> };
    expect(info.Labels).toMatchObject(labels('cache'));
    const containers = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`] },
    });
    expect(containers).toEqual([]);
  });

  test('clones the snapshot into new volumes from "Restore into new volumes…"', async ({ page }) => {
    const dialog = await openRestore(page, served.url, project, `${project}-snap`);
    await dialog.getByRole('button', { name: 'Restore into new volumes…' }).click();
    const clone = page.getByRole('dialog', { name: `Restore ${project}-snap into new volumes` });
    await expect(clone).toContainText(`${removed}-copy, ${kept}-copy`);
    await clone.getByRole('button', { name: 'Create volumes' }).click();
    const running = page.getByRole('dialog', { name: `Cloning ${project}-snap` });
    await expect(running.getByText('New volumes holding the snapshot:')).toBeVisible({ timeout: 120_000 });
    await expect(running).toContainText(`${removed}-copy`);
    expect(await volumeTree(docker, `${kept}-copy`)).toEqual(captured[kept]);
    expect(await volumeTree(docker, `${removed}-copy`)).toEqual(captured[removed]);
  });
});

async function openRestore(page: Page, url: string, workloadName: string, snapshot: string): Promise<Locator> {
  await page.goto(url);
  await page.getByRole('button', { name: `Open snapshots of ${workloadName}` }).click();
  const row = page.locator(`[role="row"][data-snapshot="${snapshot}"]`);
  await expect(row).toBeVisible();
  await row.click();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Restore ${snapshot}` });
  await expect(dialog).toBeVisible();
  return dialog;
}
