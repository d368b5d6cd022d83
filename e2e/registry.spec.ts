import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import { bundleOfVolumes, forgedVolume, plainEntries } from '../electron/services/bundle/bundle-forge.test-util';
import { tempDir, testDocker, uniqueName } from '../test/engine';
import { registryAvailable, startRegistry, type TestRegistry } from '../test/registry';
import { removeImage } from '../electron/docker/images';

process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();

/**
 * Push… and Pull… in the browser against a real registry (Debian's docker-registry with htpasswd
 * on 127.0.0.1): the web host runs with a DOCKER_CONFIG as `docker login` leaves it, the snapshot
 * goes out through the Push dialog, comes back through the Pull dialog, and the pulled snapshot's
 * details name the image it came from.
 */
test.describe('snapshots travel through a registry: Push… and Pull… in the browser', () => {
  const data = tempDir('volsnap-e2e-registry-');
  let registry: TestRegistry;
  let served: Served;
  let reference: string;

  test.beforeAll(async () => {
    if (!registryAvailable()) throw new Error('docker-registry and htpasswd are missing: run scripts/install-deps.sh');
    registry = await startRegistry();
    reference = `${registry.host}/${uniqueName('e2e/snap')}:v1`;
    // The snapshot comes from a bundle, stored as is: the test does not depend on the capture's store format.
    const bundle = path.join(data.path, 'outgoing.volsnap');
    writeFileSync(
      bundle,
      bundleOfVolumes([await forgedVolume('e2e-data', plainEntries('e2e-data'))], (doc) => {
        doc.snapshot.name = 'outgoing';
      }),
    );
    cli(path.join(data.path, 'store'), ['import', bundle]);
    served = await startServe(path.join(data.path, 'store'), { DOCKER_CONFIG: registry.loginConfigDir });
  });

  test.afterAll(async () => {
    await served?.stop();
    await removeImage(docker, reference).catch(() => undefined);
    await registry?.stop();
    data.remove();
  });

  test('push a snapshot, pull it back under a new name, and see where it came from', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: 'All snapshots' }).click();
    await page.locator('tr[data-snapshot="outgoing"]').click();
    await page.getByRole('toolbar', { name: 'Snapshot actions' }).getByRole('button', { name: /Push/ }).click();
    const push = page.getByRole('dialog', { name: 'Push outgoing' });
    await push.getByLabel('Image reference').fill(reference);
    await push.getByRole('button', { name: 'Push', exact: true }).click();
    await expect(push.getByRole('status').filter({ hasText: 'Pushed to' })).toContainText(reference, {
      timeout: 120_000,
    });
    await expect(push.getByRole('status').filter({ hasText: 'Pushed to' })).toContainText(/digest sha256:[0-9a-f]{64}/);
    await push.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('button', { name: /Pull/ }).click();
    const pull = page.getByRole('dialog', { name: 'Pull a snapshot' });
    // The reference just pushed is offered again.
    await expect(pull.locator(`datalist option[value="${reference}"]`)).toHaveCount(1);
    await pull.getByLabel('Image reference').fill(reference);
    await pull.getByLabel('Name').fill('came-back');
    await pull.getByRole('button', { name: 'Pull', exact: true }).click();
    await expect(pull.getByRole('status').filter({ hasText: 'Pulled' })).toContainText('listed with trigger “pull”', {
      timeout: 120_000,
    });
    await pull.getByRole('button', { name: 'Done' }).click();

    await page.locator('tr[data-snapshot="came-back"]').click();
    const details = page.getByRole('region', { name: 'Selected snapshot came-back' });
    await expect(details).toContainText(`Imported from ${reference}`);
    await expect(details).toContainText('(registry,');
    await page.screenshot({ path: 'e2e/artifacts/registry-01-pulled.png' });
  });
});
