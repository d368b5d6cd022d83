import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DOCKER_HOST, startServe, type Served } from './support/serve';
import { useDockerContext, writeDockerContext } from '../test/docker-config';
import { createWorkload, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';
import { startSecondEngine, stopSecondEngine, type SecondEngine } from '../test/second-engine';

process.env.DOCKER_HOST = DOCKER_HOST;
const artifacts = 'e2e/artifacts';
// Engine B: a second private dockerd, under its own root so no other test file shares it.
const rootB = '/tmp/volsnap-engine-e2e-picker';

// `volsnap serve` started the way a desktop user has it: no DOCKER_HOST, two Docker contexts
// (alpha → the shared private engine, bravo → engine B), alpha current. The picker must list both,
// switch at once, and the workloads shown must follow the engine.
test.describe('engine picker', () => {
  const home = tempDir('volsnap-e2e-picker-home-');
  const data = tempDir('volsnap-e2e-picker-data-');
  const configDir = path.join(home.path, 'volsnap-config');
  let engineB: SecondEngine;
  let onA: TestWorkload;
  let onB: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    engineB = startSecondEngine(rootB);
    const dockerConfig = path.join(home.path, '.docker');
    writeDockerContext(dockerConfig, 'alpha', DOCKER_HOST);
    writeDockerContext(dockerConfig, 'bravo', engineB.endpoint);
    useDockerContext(dockerConfig, 'alpha');
    const workload = (prefix: string) => ({
      services: [
        { name: uniqueName(prefix), volumes: [{ volume: uniqueName(`${prefix}-data`), destination: '/data' }] },
      ],
      seed: 'true',
    });
    onA = await createWorkload(testDocker(), workload('picker-a'));
    onB = await createWorkload(engineB.docker, workload('picker-b'));
    served = await startServe(data.path, {
      DOCKER_HOST: '',
      DOCKER_CONTEXT: '',
      DOCKER_CONFIG: dockerConfig,
      HOME: home.path,
      VOLSNAP_CONFIG_DIR: configDir,
      XDG_RUNTIME_DIR: path.join(home.path, 'run'),
      VOLSNAP_TEST_DEFAULT_ENDPOINT: `unix://${home.path}/no-system-engine.sock`,
    });
  });

  test.afterAll(async () => {
    await served?.stop();
    await onA?.remove();
    startSecondEngine(rootB);
    await onB?.remove();
    stopSecondEngine(rootB);
    home.remove();
    data.remove();
  });

  const pickerButton = (page: Page) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Docker engine: / });
  const engineSetting = () =>
    JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as { engine?: string };

  /**
   * Moves the listbox's active option with the arrow keys toward `name` until it is on it, then
   * presses Enter. The list may be asked again while open (its order follows the engine in use), so
   * each step reads the active option and the wanted one in a single look at the page.
   */
  async function chooseWithKeyboard(page: Page, list: Locator, name: string): Promise<void> {
    const look = () =>
      list.evaluate((ul, wanted) => {
        const names = [...ul.querySelectorAll('[role="option"] .engine-option-name')].map((n) => n.textContent ?? '');
        const options = [...ul.querySelectorAll('[role="option"]')];
        const active = options.findIndex((option) => option.id === ul.getAttribute('aria-activedescendant'));
        return { active, activeName: names[active] ?? '', wanted: names.findIndex((n) => n.startsWith(wanted)) };
      }, name);
    for (let i = 0; i < 10; i++) {
      const { active, activeName, wanted } = await look();
      if (activeName.startsWith(name)) break;
      await page.keyboard.press(wanted >= 0 && wanted < active ? 'ArrowUp' : 'ArrowDown');
      // React applies the key a moment later: reading before it would see the old option and press again.
      await expect.poll(async () => (await look()).activeName).not.toBe(activeName);
    }
    await page.keyboard.press('Enter');
  }

  test('lists both engines, switches, and the workloads follow the engine', async ({ page }) => {
    await page.goto(served.url);
    const main = page.getByRole('main');
    const button = pickerButton(page);
    await expect(button).toHaveAccessibleName(/Docker engine: alpha, connected/);
    await expect(main).toContainText(onA.name);
    await expect(main).not.toContainText(onB.name);

    // Keyboard: Enter opens and focuses the list, Escape closes and gives focus back.
    await button.focus();
    await page.keyboard.press('Enter');
    const list = page.getByRole('listbox', { name: 'Docker engines' });
    await expect(list).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(list).toHaveCount(0);
    await expect(button).toBeFocused();

    await button.click();
    const alpha = list.getByRole('option', { name: /^alpha/ });
    const bravo = list.getByRole('option', { name: /^bravo/ });
    await expect(alpha).toHaveAttribute('aria-selected', 'true');
    await expect(alpha).toContainText('(in use)');
    await expect(bravo).toHaveAttribute('aria-selected', 'false');
    await expect(bravo).toContainText(engineB.endpoint);
    await expect(bravo).toContainText(/Docker \d+\./);
    await page.screenshot({ path: `${artifacts}/engine-picker-open.png` });

    await bravo.click();
    await expect(list).toHaveCount(0);
    await expect(button).toHaveAccessibleName(/Docker engine: bravo, connected/);
    await expect(main).toContainText(onB.name);
    await expect(main).not.toContainText(onA.name);
    // Remembered as the user's engine setting, which every CLI follows.
    expect(engineSetting().engine).toBe('bravo');

    // And back, by keyboard alone.
    await button.focus();
    await page.keyboard.press('ArrowDown');
    await expect(list).toBeFocused();
    await expect(list.getByRole('option', { name: /^bravo/ })).toHaveAttribute('aria-selected', 'true');
    await chooseWithKeyboard(page, list, 'alpha');
    await expect(button).toHaveAccessibleName(/Docker engine: alpha, connected/);
    await expect(main).toContainText(onA.name);
    await expect(main).not.toContainText(onB.name);
    expect(engineSetting().engine).toBe('alpha');
  });

  test('says which engine went away, offers the others, and reconnects by itself', async ({ page }) => {
    test.setTimeout(240_000);
    await page.goto(served.url);
    const button = pickerButton(page);
    await button.click();
    await page
      .getByRole('listbox', { name: 'Docker engines' })
      .getByRole('option', { name: /^bravo/ })
      .click();
    await expect(button).toHaveAccessibleName(/Docker engine: bravo, connected/);

    stopSecondEngine(rootB, { keep: true });
    const banner = page.getByRole('region', { name: 'Docker Engine status' });
    await expect(banner).toContainText('Docker Engine unavailable: “bravo”', { timeout: 60_000 });
    await expect(banner).toContainText(`Cannot reach the Docker Engine at ${engineB.endpoint}`);
    await expect(banner.getByRole('button', { name: 'Switch to alpha' })).toBeVisible({ timeout: 60_000 });
    await expect(button).toHaveAccessibleName(/Docker engine: bravo, unavailable/);
    await page.screenshot({ path: `${artifacts}/engine-picker-down.png` });

    // No click: the page notices on its own that the engine answers again.
    startSecondEngine(rootB);
    await expect(banner).toHaveCount(0, { timeout: 90_000 });
    await expect(button).toHaveAccessibleName(/Docker engine: bravo, connected/);
    await expect(page.getByRole('main')).toContainText(onB.name);

    // The banner's offer switches too.
    stopSecondEngine(rootB, { keep: true });
    await banner.getByRole('button', { name: 'Switch to alpha' }).click({ timeout: 60_000 });
    await expect(button).toHaveAccessibleName(/Docker engine: alpha, connected/);
    await expect(banner).toHaveCount(0);
    await expect(page.getByRole('main')).toContainText(onA.name);
  });
});
