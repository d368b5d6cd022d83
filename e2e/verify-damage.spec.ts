import { expect, test } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import path from 'node:path';
import { expectAccessible } from './support/axe';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import { withStoreDb } from '../test/store-db';
import { createWorkload, runScript, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

/**
 * Verify in the app on a deduplicated store where one chunk two snapshots share is damaged in its
 * pack: the details pane says verify failed and names the chunk, both snapshots and the file that
 * holds it, and not the files that are sound. Screenshots in both themes under e2e/screenshots/.
 */
process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();
const dir = 'e2e/screenshots';
/** Small enough to be one chunk, so its chunk's address is the file's own SHA-256. */
const SHARED = 'settings shared by both snapshots\n';

test.describe('verify names what a damaged chunk takes down', () => {
  const data = tempDir('volsnap-e2e-verify-');
  const volume = uniqueName('vdmg');
  let workload: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('app'), volumes: [{ volume, destination: '/data' }] }],
      seed: `cd /seed/${volume} && printf '${SHARED.replace('\n', '\\n')}' > shared.conf && echo sound > sound.txt`,
    });
    cli(data.path, ['capture', workload.name, '--name', 'first', '--mode', 'live']);
    await runScript(docker, [`${volume}:/v`], 'echo later > /v/later.txt');
    cli(data.path, ['capture', workload.name, '--name', 'second', '--mode', 'live']);
    // Damage the shared file's chunk where it is stored: the zstd frame no longer decompresses.
    const hash = createHash('sha256').update(SHARED).digest();
    const where = withStoreDb(data.path, (db) =>
      db.prepare('SELECT pack_id AS packId, offset, stored_length AS length FROM chunks WHERE hash = ?').get(hash),
    ) as { packId: string; offset: number; length: number } | undefined;
    expect(where, 'the shared file is stored as one chunk').toBeDefined();
    const pack = openSync(path.join(data.path, 'chunks', 'packs', `${where!.packId}.pack`), 'r+');
    try {
      writeSync(pack, Buffer.alloc(where!.length, 0xff), 0, where!.length, where!.offset);
    } finally {
      closeSync(pack);
    }
    served = await startServe(data.path);
  });
  test.afterAll(async () => {
    await served?.stop();
    await workload?.remove();
    data.remove();
  });

  for (const theme of ['light', 'dark'] as const)
    test(`the details pane names both snapshots and the file (${theme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
      await page.goto(served.url);
      await page.getByRole('button', { name: `Open snapshots of ${workload.name}` }).click();
      await page.locator('[role="row"][data-snapshot="second"]').click();
      await page.getByRole('toolbar', { name: 'Snapshot actions' }).getByRole('button', { name: 'Verify' }).click();
      const chunks = page.getByRole('list', { name: 'Missing or damaged chunks' });
      await expect(chunks).toBeVisible({ timeout: 60_000 });
      const item = chunks.getByRole('listitem');
      await expect(page.getByRole('status').filter({ hasText: 'Verify failed.' })).toContainText('shared.conf');
      await expect(item).toHaveCount(1);
      await expect(item).toContainText(`Chunk ${createHash('sha256').update(SHARED).digest('hex').slice(0, 12)}`);
      await expect(item).toContainText(`first (${volume}:shared.conf)`);
      await expect(item).toContainText(`second (${volume}:shared.conf)`);
      await expect(item).not.toContainText('sound.txt');
      await expect(item).not.toContainText('later.txt');
      await page.screenshot({ path: `${dir}/verify-damage-${theme}.png` });
      await expectAccessible(page, `verify damage (${theme})`);
    });
});
