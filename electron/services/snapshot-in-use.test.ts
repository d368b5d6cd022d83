import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '.';
import { createRestoreFixture, type CliRun, type RestoreFixture } from './restore/restore-fixture.test-util';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../test/engine';

/** Snapshots in use are never deleted: retention skips them, `delete` (even --force) refuses naming the job. */
describeEngine('a snapshot a job reads is held', () => {
  const docker = testDocker();
  const data = tempDir();
  let services: Services;
  let f: RestoreFixture | undefined;
  const workloads: TestWorkload[] = [];

  beforeAll(() => {
    services = createServices({ dataDir: data.path, docker });
  });
  afterAll(async () => {
    for (const w of workloads) await w.remove();
    services.close();
    data.remove();
    await f?.remove();
  });

  it("keeps the snapshot being restored when the safety snapshot's retention would prune it", async () => {
    const vol = uniqueName('held');
    const w = await createWorkload(docker, {
      services: [{ name: uniqueName('held'), volumes: [{ volume: vol, destination: '/d' }] }],
      seed: `echo first > /seed/${vol}/version`,
    });
    workloads.push(w);
    const older = await (await services.capture.start({ workload: w.name, mode: 'live' })).done;
    await runScript(docker, [`${vol}:/v`], 'echo second > /v/version');
    await (
      await services.capture.start({ workload: w.name, mode: 'live' })
    ).done;
    services.settings.set('keepLast', 1);
    try {
      const restore = await services.restore.start({ snapshot: older.id, confirm: older.name, safetySnapshot: true });
      const result = await restore.done;
      expect(result.safetySnapshotId).not.toBeNull();
      expect(await runScript(docker, [`${vol}:/v:ro`], 'cat /v/version')).toBe('first\n');
      expect(services.snapshots.show(older.id).status).toBe('ready');
      expect((await services.snapshots.verify(older.id)).ok).toBe(true);
      // Held only while read: once the restore is over, retention applies to it again.
      const pruned = await services.retention.prune(w.id);
      expect(pruned.deleted.map((d) => d.id)).toContain(older.id);
    } finally {
      services.settings.set('keepLast', 20);
    }
  });

  it('refuses `delete --force` from another process while a restore reads the snapshot, naming the job', async () => {
    f = await createRestoreFixture(docker);
    const stall = path.join(f.dataDir, 'stall');
    const restoring = f.cli(
      ['restore', f.snapshot.id, '--confirm', f.snapshot.name, '--no-safety-snapshot', '--json'],
      {
        VOLSNAP_STALL_AT: 'stop',
        VOLSNAP_STALL_FILE: stall,
      },
    );
    await until(() => existsSync(stall), restoring);
    const job = f.services.jobs.recent().find((j) => j.kind === 'restore' && j.status === 'running')!;
    expect(job).toBeDefined();
    let deleted: CliRun;
    try {
      deleted = await f.cli(['delete', f.snapshot.id, '--confirm', f.snapshot.name, '--force', '--json']);
    } finally {
      rmSync(stall, { force: true });
    }
    expect(deleted.code).toBe(1);
    const { error } = JSON.parse(deleted.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('Conflict');
    expect(error.message).toContain(`restore (job ${job.id}`);
    const restored = await restoring;
    expect(restored.code, restored.stderr).toBe(0);
    expect(await f.trees()).toEqual(f.snapTrees);
    expect(f.services.snapshots.show(f.snapshot.id).status).toBe('ready');
    // The restore is over: the same delete now goes through.
    const again = await f.cli(['delete', f.snapshot.id, '--confirm', f.snapshot.name, '--json']);
    expect(again.code, again.stderr).toBe(0);
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
