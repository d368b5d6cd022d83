import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCK_LABEL, lockName, lockVolumes } from './volume-lock';
import {
  createRestoreFixture,
  runCli,
  type CliRun,
  type RestoreFixture,
} from '../services/restore/restore-fixture.test-util';
import { describeEngine, tempDir, testDocker } from '../../test/engine';

/**
 * One restore per volume across every store on the engine: two data dirs, two CLI processes. While
 * store A restores (held at a journal step by the stall switch), store B's restore and capture of
 * the same volumes are refused with Conflict naming A's job and data dir.
 */
describeEngine('volume locks across stores', () => {
  const docker = testDocker();
  const storeB = tempDir('volsnap-store-b-');
  let f: RestoreFixture;
  let bSnapshot: string;
  const b = (args: string[]) => runCli(['--data-dir', storeB.path, ...args, '--json'], {});

  beforeAll(async () => {
    f = await createRestoreFixture(docker);
    const captured = await b(['capture', f.workload.id, '--name', `${f.workload.name}-b`, '--mode', 'live']);
    expect(captured.code, captured.stderr).toBe(0);
    bSnapshot = `${f.workload.name}-b`;
  });
  afterAll(async () => {
    for (const v of f?.volumes ?? [])
      await docker
        .getContainer(lockName(v))
        .remove({ force: true })
        .catch(() => undefined);
    await f?.remove();
    storeB.remove();
  });

  const restoreA = (stallAt: string, stall: string) =>
    f.cli(['restore', f.snapshot.id, '--confirm', f.snapshot.name, '--no-safety-snapshot', '--json'], {
      VOLSNAP_STALL_AT: stallAt,
      VOLSNAP_STALL_FILE: stall,
    });
  const locks = async () =>
    (await docker.listContainers({ all: true, filters: { label: [LOCK_LABEL] } }))
      .map((c) => c.Labels[LOCK_LABEL])
      .filter((v) => f.volumes.includes(v ?? ''))
      .sort();

  it("refuses the other store's restore and capture while a restore runs, and unlocks when it ends", async () => {
    const stall = path.join(f.dataDir, 'stall');
    const restoring = restoreA('stop', stall);
    await until(() => existsSync(stall), restoring);
    const job = f.services.jobs.recent().find((j) => j.kind === 'restore' && j.status === 'running')!;
    expect(await locks()).toEqual([...f.volumes].sort());
    // Locks are helpers: never listed as workloads.
    const names = (await f.services.workloads.list()).flatMap((w) => w.containers.map((c) => c.name));
    expect(names.filter((n) => n.startsWith('volsnap-lock-'))).toEqual([]);
    let refused: CliRun[];
    try {
      refused = [
        await b(['restore', bSnapshot, '--confirm', bSnapshot, '--no-safety-snapshot']),
        await b(['capture', f.workload.id, '--mode', 'live']),
      ];
    } finally {
      rmSync(stall, { force: true });
    }
    for (const run of refused) {
      expect(run.code, run.stdout).toBe(1);
      const { error } = JSON.parse(run.stderr) as { error: { kind: string; message: string } };
      expect(error.kind).toBe('Conflict');
      expect(error.message).toContain(`in use by a restore of the store at ${f.dataDir} (job ${job.id}`);
    }
    const restored = await restoring;
    expect(restored.code, restored.stderr).toBe(0);
    expect(await f.trees()).toEqual(f.snapTrees);
    expect(await locks()).toEqual([]);
    // The refused capture kept nothing in store B: its one snapshot is the first capture.
    const listed = JSON.parse((await b(['list'])).stdout) as { name: string }[];
    expect(listed.map((s) => s.name)).toEqual([bSnapshot]);
  });

  it('takes over the locks of a process that was killed', async () => {
    const stall = path.join(f.dataDir, 'stall');
    const restoring = restoreA('begin', stall);
    await until(() => existsSync(stall), restoring);
    process.kill(Number(readFileSync(stall, 'utf8')), 'SIGKILL');
    expect((await restoring).signal).toBe('SIGKILL');
    rmSync(stall, { force: true });
    expect(await locks()).toEqual([...f.volumes].sort());

    // Taking one over directly (no sweep ran in this process)…
    const [first] = f.volumes;
    const mine = await lockVolumes(docker, [first!], {
      jobId: 'takeover00000001',
      kind: 'capture',
      dataDir: f.dataDir,
      image: 'busybox:latest',
    });
    await mine.release();
    // …and by the other store's restore, which then runs.
    const restored = await b(['restore', bSnapshot, '--confirm', bSnapshot, '--no-safety-snapshot']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await f.trees()).toEqual(f.oldTrees);
    expect(await locks()).toEqual([]);
    // Store A's own journal of the killed restore rolls back (it never touched the volumes).
    const recovered = await f.cli(['recover', '--json']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(await f.trees()).toEqual(f.oldTrees);
    expect(await f.assertSettled()).toEqual([]);
  });

  it("lets recovery wait while another store's live job holds a volume, then finish", async () => {
    await f.resetOld();
    const crashed = await f.cli(
      ['restore', f.snapshot.id, '--confirm', f.snapshot.name, '--no-safety-snapshot', '--json'],
      { VOLSNAP_CRASH_AT: 'swap' },
    );
    expect(crashed.signal).toBe('SIGKILL');
    // A live job of another store (this test process) holds one of the volumes.
    const held = await lockVolumes(docker, [f.volumes[0]!], {
      jobId: 'otherstore000001',
      kind: 'capture',
      dataDir: storeB.path,
      image: 'busybox:latest',
    });
    try {
      const waiting = await f.cli(['recover', '--json']);
      expect(waiting.code, waiting.stderr).toBe(0);
      const report = JSON.parse(waiting.stdout) as { waiting: string[]; rolledForward: string[] };
      expect(report.waiting).toHaveLength(1);
      expect(report.rolledForward).toEqual([]);
      // Nothing was moved meanwhile: the swap had not run, and recovery did not run it (only the
      // staged copy sits beside the old contents, as the crash left it).
      const outsideStage = (await f.trees()).map((tree) => tree.filter((e) => !e.path.startsWith('.volsnap-stage-')));
      expect(outsideStage).toEqual(f.oldTrees);
    } finally {
      await held.release();
    }
    const recovered = await f.cli(['recover', '--json']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect((JSON.parse(recovered.stdout) as { rolledForward: string[] }).rolledForward).toHaveLength(1);
    expect(await f.trees()).toEqual(f.snapTrees);
    expect(await f.assertSettled()).toEqual([]);
    expect(await locks()).toEqual([]);
  });
});

/** Polls until `ready` holds; fails early if the process it waits on ends first. */
async function until(ready: () => boolean, process: Promise<CliRun>): Promise<void> {
  let ended: CliRun | null = null;
  void process.then((run) => (ended = run));
  while (!ready()) {
    if (ended) throw new Error(`the process ended before it stalled: ${JSON.stringify(ended)}`);
    await sleep(50);
  }
}
