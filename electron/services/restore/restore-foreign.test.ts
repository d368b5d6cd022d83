import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRestoreFixture, type RestoreFixture } from './restore-fixture.test-util';
import { describeEngine, runScript, tempDir, testDocker } from '../../../test/engine';

/**
 * The swap and its recovery check that each volume holds what the journal expects before moving
 * anything: another job's `.volsnap-aside-*`/`.volsnap-stage-*` at a volume's root is refused with
 * an error naming the volume and that job, never guessed around.
 */
describeEngine('the swap refuses a volume holding another restore', () => {
  let f: RestoreFixture;
  const scratch = tempDir('volsnap-foreign-');
  const foreign = '.volsnap-aside-otherjob0000001';

  beforeAll(async () => {
    f = await createRestoreFixture(testDocker());
  });
  afterAll(async () => {
    await f?.remove();
    scratch.remove();
  });

  const volumeA = () => f.volumes[0]!;
  const args = () => ['--json', 'restore', f.snapshot.id, '--confirm', f.snapshot.name, '--no-safety-snapshot'];
  const plant = () => runScript(f.docker, [`${volumeA()}:/v`], `mkdir /v/${foreign} && echo theirs > /v/${foreign}/x`);
  const unplant = () => runScript(f.docker, [`${volumeA()}:/v`], `rm -rf /v/${foreign}`);

  /** Runs the CLI restore, stalls it right after its `swap` row, plants another job's folder, lets it go on. */
  async function restoreWithForeignFolder(env: Record<string, string> = {}) {
    const stall = path.join(scratch.path, `stall-${Date.now()}`);
    const run = f.cli(args(), { VOLSNAP_STALL_AT: 'swap', VOLSNAP_STALL_FILE: stall, ...env });
    for (let i = 0; i < 1200 && !existsSync(stall); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(stall), 'the restore never reached its swap step').toBe(true);
    await plant();
    rmSync(stall);
    return run;
  }

  async function expectOldAndSettled(): Promise<void> {
    await unplant();
    expect(await f.trees()).toEqual(f.oldTrees);
    expect(await f.assertSettled()).toEqual([]);
    expect(openJournals(f.dataDir)).toBe(0);
  }

  it('refuses at the swap, names the volume and the other job, and rolls back', async () => {
    await f.resetOld();
    const run = await restoreWithForeignFolder();
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('Conflict');
    expect(error.message).toMatch(new RegExp(`Volume ${volumeA()} holds ${foreign}.*job otherjob0000001`));
    expect(error.message).toMatch(/rolled back/);
    const trees = await f.trees();
    expect(
      trees[0]!.some((e) => e.path === `${foreign}/x`),
      "the other job's folder is left alone",
    ).toBe(true);
    await expectOldAndSettled();
  });

  it('killed right after refusing, recovery rolls back', async () => {
    await f.resetOld();
    const run = await restoreWithForeignFolder({ VOLSNAP_CRASH_AT: 'swap-refused' });
    expect(run.signal).toBe('SIGKILL');
    const recovered = await f.cli(['--json', 'recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect((JSON.parse(recovered.stdout) as { rolledBack: string[] }).rolledBack).toHaveLength(1);
    await expectOldAndSettled();
  });

  it('recovery refuses rather than guess, and finishes once the other folder is gone', async () => {
    await f.resetOld();
    const crashed = await f.cli(args(), { VOLSNAP_CRASH_AT: 'swap' });
    expect(crashed.signal).toBe('SIGKILL');
    await plant();
    const refused = await f.cli(['--json', 'recover']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(
      new RegExp(`Volume ${volumeA()} holds ${foreign}.*otherjob0000001`),
    );
    const trees = await f.trees();
    expect(
      trees[0]!.filter((e) => !e.path.startsWith('.volsnap-')),
      'nothing was moved',
    ).toEqual(f.oldTrees[0]!.filter((e) => !e.path.startsWith('.volsnap-')));
    await unplant();
    const recovered = await f.cli(['--json', 'recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(await f.trees()).toEqual(f.snapTrees);
    expect(await f.assertSettled()).toEqual([]);
    expect(openJournals(f.dataDir)).toBe(0);
  });
});

function openJournals(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'volsnap.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM restore_journal WHERE outcome IS NULL`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
