import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRemovedFixture, type RemovedFixture } from './removed-fixture.test-util';
import type { CliRun } from './restore-fixture.test-util';
import { describeEngine, testDocker } from '../../../test/engine';
import { HELPER_LABEL } from '../../docker/workloads';

/**
 * The crash suite for a restore without containers that creates a removed volume: the CLI SIGKILLs
 * itself at every journal step (the volume's `create` among them) and at renames of the swap.
 * After `volsnap recover`, the engine is as before (the created volume gone again, the other one
 * with its old contents) or as in the snapshot (both volumes exactly the snapshot's); never a
 * mix, no helper left, no container created.
 */
describeEngine('a restore that recreates a removed volume survives a crash at any point', () => {
  let f: RemovedFixture;
  const killed = (run: CliRun) => run.signal === 'SIGKILL';

  beforeAll(async () => {
    f = await createRemovedFixture(testDocker());
  }, 120_000);
  afterAll(async () => {
    await f?.remove();
  });

  const restoreArgs = (safety: boolean) => [
    'restore',
    f.snapshot.id,
    '--confirm',
    f.snapshot.name,
    ...(safety ? [] : ['--no-safety-snapshot']),
    '--json',
  ];

  async function recoverAndCheck(): Promise<'old' | 'snap'> {
    const recovered = await f.cli(['recover', '--json']);
    expect(recovered.code, recovered.stderr).toBe(0);
    const trees = await f.trees();
    const old = trees[f.removed] === null && JSON.stringify(trees[f.kept]) === JSON.stringify(f.oldKept);
    const snap = JSON.stringify(trees) === JSON.stringify(f.snapTrees);
    expect(old || snap, `volumes after recovery: ${JSON.stringify(trees)}`).toBe(true);
    expect(await f.containers()).toEqual([]);
    const helpers = await f.docker.listContainers({ all: true, filters: { label: [HELPER_LABEL] } });
    expect(helpers.filter((h) => h.Mounts.some((m) => [f.kept, f.removed].includes(m.Name ?? '')))).toEqual([]);
    return old ? 'old' : 'snap';
  }

  async function crashAt(step: string, safety = false): Promise<CliRun> {
    await f.takeApart();
    return f.cli(restoreArgs(safety), { VOLSNAP_CRASH_AT: step });
  }

  it('restores without a crash: the journal creates the volume before staging', async () => {
    await f.takeApart();
    const run = await f.cli(restoreArgs(false));
    expect(run.code, run.stderr).toBe(0);
    expect(await f.trees()).toEqual(f.snapTrees);
    expect(await recoverAndCheck()).toBe('snap');
  }, 120_000);

  const before = ['begin', 'create', 'stage:1', 'stage:2', 'policies', 'stop'];
  const after = ['swap', 'commit', 'cleanup', 'policies-back', 'start'];
  for (const step of before) {
    it(`rolls back after a crash at ${step}: the created volume is removed again`, async () => {
      expect(killed(await crashAt(step))).toBe(true);
      expect(await recoverAndCheck()).toBe('old');
    }, 120_000);
  }
  it('rolls back after a crash at safety (with a safety snapshot)', async () => {
    expect(killed(await crashAt('safety', true))).toBe(true);
    expect(await recoverAndCheck()).toBe('old');
  }, 120_000);
  for (const step of after) {
    it(`rolls forward after a crash at ${step}`, async () => {
      expect(killed(await crashAt(step))).toBe(true);
      expect(await recoverAndCheck()).toBe('snap');
    }, 120_000);
  }

  it('rolls forward after a crash at renames of the swap', async () => {
    for (const n of [1, 3, 5]) {
      const run = await crashAt(`rename:${n}`);
      expect(killed(run), `rename ${n}: ${run.stderr}`).toBe(true);
      expect(await recoverAndCheck(), `after rename ${n}`).toBe('snap');
    }
  }, 400_000);
});
