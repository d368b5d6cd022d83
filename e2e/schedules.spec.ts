import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expectAccessible } from './support/axe';
import { cli, DOCKER_HOST, startServe, type Served } from './support/serve';
import type { Schedule } from '../shared/schedule-types';
import { createWorkload, tempDir, testDocker, uniqueName, type TestWorkload } from '../test/engine';

/**
 * Schedules where the user looks at a workload: the sidebar's clock and warning badges, and the
 * workload view's schedule strip (next run, last result, why it failed), where it is changed and
 * turned off. Screenshots of each in both themes under e2e/screenshots/schedules-*.png.
 */
process.env.DOCKER_HOST = DOCKER_HOST;
const docker = testDocker();
const dir = 'e2e/screenshots';

test.describe('schedules in the workload view and the sidebar', () => {
  const data = tempDir('volsnap-e2e-schedules-');
  let hourly: TestWorkload;
  let broken: TestWorkload;
  let served: Served;

  test.beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    const name = uniqueName('hourly');
    hourly = await createWorkload(docker, {
      services: [{ name, volumes: [{ volume: `${name}-data`, destination: '/data' }] }],
      seed: `echo one > /seed/${name}-data/a.txt`,
    });
    // A volume left mid-restore by another store: its capture fails with a reason for a person.
    const other = uniqueName('broken');
    broken = await createWorkload(docker, {
      services: [{ name: other, volumes: [{ volume: `${other}-data`, destination: '/data' }] }],
      seed: `mkdir /seed/${other}-data/.volsnap-stage-0123456789abcdef; echo x > /seed/${other}-data/a.txt`,
    });
    cli(data.path, ['schedule', 'set', hourly.id, '--every', '1h']);
    cli(data.path, ['schedule', 'set', broken.id, '--daily', '03:00']);
    // cron's run-due: both are due (never captured); one succeeds, one fails (exit 1).
    const run = spawnSync(
      process.execPath,
      [path.resolve('bin/volsnap.cjs'), '--json', '--data-dir', data.path, 'schedule', 'run-due'],
      { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(1);
    const { runs } = JSON.parse(run.stdout) as { runs: { workloadId: string; outcome: string }[] };
    expect(runs.map((r) => [r.workloadId, r.outcome]).sort()).toEqual(
      [
        [hourly.id, 'succeeded'],
        [broken.id, 'failed'],
      ].sort(),
    );
    served = await startServe(data.path);
  });

  test.afterAll(async () => {
    await served?.stop();
    await hourly?.remove();
    await broken?.remove();
    data.remove();
  });

  for (const theme of ['light', 'dark'] as const)
    test(`badges, the strip, changing and turning off (${theme})`, async ({ page }) => {
      test.setTimeout(300_000);
      const shot = async (what: string) => {
        await page.screenshot({ path: `${dir}/schedules-${theme}-${what}.png` });
        await expectAccessible(page, `${what} (${theme})`);
      };
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
      await page.goto(served.url);

      // The sidebar: a clock for the scheduled workload, a warning saying what failed and when.
      const clock = page.locator(`[data-sidebar-workload="${hourly.id}"] [data-schedule-badge="scheduled"]`);
      await expect(clock).toHaveAttribute('aria-label', /^Captured every 1h; next run /);
      const warning = page.locator(`[data-sidebar-workload="${broken.id}"] [data-schedule-badge="failed"]`);
      await expect(warning).toHaveAttribute(
        'aria-label',
        /^Last scheduled capture failed \(.+\): .*unfinished restore/,
      );
      await expect(warning).toHaveAttribute('title', (await warning.getAttribute('aria-label'))!);
      const brokenButton = page.getByRole('button', { name: `Open snapshots of ${broken.name}` });
      await expect(brokenButton).toHaveAccessibleDescription(/Last scheduled capture failed/);

      // The failed workload's own view says why.
      await brokenButton.click();
      const brokenStrip = page.getByRole('region', { name: `Schedule of ${broken.name}` });
      await expect(brokenStrip).toContainText('Captured daily at 03:00; next run');
      await expect(brokenStrip).toContainText(/Last scheduled capture failed .*Run `?volsnap recover`?/);
      await expect(page.locator('[role="row"][data-snapshot]')).toHaveCount(1);
      await shot('failed');

      // The scheduled one: change it to daily, from its own view.
      await page.getByRole('button', { name: `Open snapshots of ${hourly.name}` }).click();
      const strip = page.getByRole('region', { name: `Schedule of ${hourly.name}` });
      await expect(strip).toContainText('Captured every 1h; next run');
      await expect(page.locator('[role="row"][data-snapshot]')).toHaveCount(1);
      // Turning a schedule off forgets its runs, so only the first theme's pass still has cron's.
      if (theme === 'light') await expect(strip).toContainText('Last scheduled capture succeeded');
      await strip.getByRole('button', { name: 'Change schedule…' }).click();
      const form = strip.getByRole('form', { name: `Schedule captures of ${hourly.name}` });
      await expect(form.getByLabel('Every')).toHaveValue('1');
      await form.getByLabel('Capture').selectOption('daily');
      await form.getByLabel('Time (local)').fill('18:30');
      await shot('editing');
      await form.getByRole('button', { name: 'Save schedule' }).click();
      await expect(strip).toContainText('Captured daily at 18:30; next run');
      await expect(clock).toHaveAttribute('aria-label', /^Captured daily at 18:30/);
      expect(listed(data.path).find((s) => s.workloadId === hourly.id)?.rule).toEqual({ kind: 'daily', at: '18:30' });

      // Turned off: the strip, the sidebar and the CLI agree.
      await strip.getByRole('button', { name: 'Turn off' }).click();
      await expect(strip).toContainText('Not captured on a schedule.');
      await expect(clock).toHaveCount(0);
      expect(listed(data.path).find((s) => s.workloadId === hourly.id)).toBeUndefined();
      await shot('off');

      // Back on, for the other theme's run.
      await strip.getByRole('button', { name: 'Schedule captures…' }).click();
      await form.getByRole('button', { name: 'Save schedule' }).click();
      await expect(strip).toContainText('Captured every 1h; next run');
    });
});

function listed(dataDir: string): Schedule[] {
  return (cli(dataDir, ['schedule', 'list']) as { schedules: Schedule[] }).schedules;
}
