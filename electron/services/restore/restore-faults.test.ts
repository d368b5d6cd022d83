import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createRestoreFixture,
  recreateService,
  waitForStall,
  type CliRun,
  type RestoreFixture,
} from './restore-fixture.test-util';
import { describeEngine, tempDir, testDocker } from '../../../test/engine';

/**
 * What the workload sees and what happens when the workload changes under a restore: a container
 * starts only on volumes that hold exactly the snapshot (nothing of Volsnap's), and a container
 * removed mid-restore never leaves the journal unrecoverable or the workload blocked.
 */
describeEngine('restore faults: what the workload sees, containers removed mid-restore', () => {
  let f: RestoreFixture;
  const scratch = tempDir('volsnap-faults-');
  const stall = path.join(scratch.path, 'stall');
  const app = () => `${f.workload.name}-app-1`;

  beforeAll(async () => {
    f = await createRestoreFixture(testDocker());
  });
  afterAll(async () => {
    await f?.remove();
    scratch.remove();
  });

  const restoreArgs = (safety: boolean) => [
    'restore',
    f.snapshot.id,
    '--confirm',
    f.snapshot.name,
    ...(safety ? [] : ['--no-safety-snapshot']),
    '--json',
  ];

  /** Which side every volume is on; fails on a mix or on anything of Volsnap's left behind. */
  async function side(): Promise<'old' | 'snap'> {
    const trees = await f.trees();
    const json = trees.map((t) => JSON.stringify(t));
    if (json.every((t, i) => t === JSON.stringify(f.oldTrees[i]))) return 'old';
    if (json.every((t, i) => t === JSON.stringify(f.snapTrees[i]))) return 'snap';
    throw new Error(`volumes are neither exactly old nor exactly the snapshot: ${JSON.stringify(trees)}`);
  }

  /** A restore started now must not be refused as unrecovered; it runs and leaves the workload settled. */
  async function restoreAgainWorks(): Promise<void> {
    await recreateService(f, 'app');
    await f.resetOld();
    const again = await f.cli(restoreArgs(false));
    expect(again.stderr).not.toMatch(/not been recovered/);
    expect(again.code, again.stderr).toBe(0);
    expect(await side()).toBe('snap');
    expect(await f.assertSettled()).toEqual([]);
    expect(openJournals(f.dataDir)).toBe(0);
  }

  /** Runs a CLI restore held at `step`; while it waits, removes the app container; then lets it go. */
  async function removeAppAt(step: string, options: { safety: boolean; crash: boolean }): Promise<CliRun> {
    await f.resetOld();
    rmSync(stall, { force: true });
    const run = f.cli(restoreArgs(options.safety), {
      VOLSNAP_STALL_AT: step,
      VOLSNAP_STALL_FILE: stall,
      ...(options.crash ? { VOLSNAP_CRASH_AT: step } : {}),
    });
    await waitForStall(stall, run);
    await f.docker.getContainer(app()).remove({ force: true });
    rmSync(stall);
    return run;
  }

  for (const safety of [false, true]) {
    it(`a container that lists its volume at start sees only the snapshot's entries (${safety ? 'with' : 'without'} safety snapshot)`, async () => {
      await recreateService(f, 'app', {
        cmd: ['sh', '-c', 'echo "== start"; ls -A /data; echo "== listed"; exec sleep 1000000'],
      });
      await f.resetOld();
      const listedBefore = (await appLogs()).split('== listed').length;
      const run = await f.cli(restoreArgs(safety));
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { downtimeMs: number; deleteMs: number; containersGone: string[] };
      expect(result.containersGone).toEqual([]);
      expect(result.downtimeMs).toBeGreaterThanOrEqual(result.deleteMs);
      let logs = await appLogs();
      for (let i = 0; i < 200 && logs.split('== listed').length <= listedBefore; i++) {
        await new Promise((r) => setTimeout(r, 50));
        logs = await appLogs();
      }
      const atStart = logs.slice(logs.lastIndexOf('== start'));
      expect(atStart).toContain('== listed');
      expect(atStart).not.toContain('.volsnap-');
      expect(atStart).toContain('hard'); // it did list the snapshot's entries,
      expect(atStart).not.toContain('extra'); // not the old ones
      expect(await side()).toBe('snap');
    });
  }

  it('a container removed before the swap: the restore rolls back, names it, and nothing stays blocked', async () => {
    const run = await removeAppAt('stop', { safety: false, crash: false });
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stderr) as { error: { message: string } };
    expect(error.message).toContain(app());
    expect(error.message).not.toMatch(/could not be rolled back/);
    expect(await side()).toBe('old');
    const recovered = await f.cli(['recover', '--json']);
    expect(recovered.code, recovered.stderr).toBe(0);
    await restoreAgainWorks();
  });

  it('a container removed after the swap: the restore finishes and names the container it could not start', async () => {
    const run = await removeAppAt('commit', { safety: false, crash: false });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { containersGone: string[] };
    expect(result.containersGone).toEqual([app()]);
    expect(await side()).toBe('snap');
    expect(openJournals(f.dataDir)).toBe(0);
    await restoreAgainWorks();
  });

  for (const [step, safety, expected] of [
    ['stage', true, 'old'],
    ['start', false, 'snap'],
  ] as const) {
    it(`container removed, then the process dies at ${step}: \`volsnap recover\` finishes and reports it`, async () => {
      const run = await removeAppAt(step, { safety, crash: true });
      expect(run.signal).toBe('SIGKILL');
      const recovered = await f.cli(['recover', '--json']);
      expect(recovered.code, recovered.stderr).toBe(0);
      const report = JSON.parse(recovered.stdout) as {
        rolledBack: string[];
        rolledForward: string[];
        containers: { jobId: string; gone: string[] }[];
      };
      expect(expected === 'old' ? report.rolledBack : report.rolledForward).toHaveLength(1);
      expect(report.containers.map((c) => c.gone)).toEqual([[app()]]);
      expect(await side()).toBe(expected);
      expect(openJournals(f.dataDir)).toBe(0);
      await restoreAgainWorks();
    });
  }

  async function appLogs(): Promise<string> {
    const logs = await f.docker.getContainer(app()).logs({ stdout: true, stderr: true, follow: false });
    return logs.toString('utf8');
  }
});

function openJournals(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'volsnap.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM restore_journal WHERE outcome IS NULL`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
