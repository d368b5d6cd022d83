import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { composeLabels, createRemovedFixture, volumeExists, type RemovedFixture } from './removed-fixture.test-util';
import { waitForStall } from './restore-fixture.test-util';
import { CREATED_BY_LABEL } from './volume-create';
import { describeEngine, testDocker, volumeTree } from '../../../test/engine';

/**
 * Restore after `docker compose down`: the containers are gone and one volume with them. The
 * restore makes the missing volume again with its labels (so `docker compose up` adopts it),
 * fills both with exactly the snapshot, and creates or starts no container.
 */
describeEngine('restore of a workload whose containers are gone', () => {
  let f: RemovedFixture;
  const docker = testDocker();

  beforeAll(async () => {
    f = await createRemovedFixture(docker);
  }, 120_000);
  afterAll(async () => {
    await f?.remove();
  });

  const labelsOf = async (v: string) =>
    ((await docker.getVolume(v).inspect()) as { Labels: Record<string, string> }).Labels;

  it('plans it: which volume exists, which is created, and that no container is involved', async () => {
    await f.takeApart();
    const plan = await f.services.restore.preview(f.snapshot.id);
    expect(plan.blockers).toEqual([]);
    expect(plan.volumes.map((v) => [v.targetVolume, v.exists])).toEqual(
      expect.arrayContaining([
        [f.kept, true],
        [f.removed, false],
      ]),
    );
    expect(plan.containers).toEqual([]);
    expect(plan.containersToStop).toEqual([]);
    expect(plan.notes?.join('\n')).toMatch(new RegExp(`${f.removed} does not exist and will be created as recorded`));
    // The dry run changed nothing.
    expect(await volumeExists(docker, f.removed)).toBe(false);
  });

  it('recreates the removed volume with its labels, both hold exactly the snapshot, no container is created', async () => {
    await f.takeApart();
    const handle = await f.services.restore.start({ snapshot: f.snapshot.id, confirm: f.snapshot.name });
    const result = await handle.done;
    expect(await f.trees()).toEqual(f.snapTrees);
    expect(await labelsOf(f.removed)).toMatchObject(composeLabels(f.project, 'cache'));
    expect(await f.containers()).toEqual([]);
    // The volume that existed was kept in a safety snapshot first; the new one had nothing to keep.
    const safety = f.services.catalog.get(result.safetySnapshotId!)!;
    expect(safety.volumes.map((v) => v.volumeName)).toEqual([f.kept]);
  }, 120_000);

  it('for a snapshot older than recorded volume specs: local driver, compose labels derived from the workload', async () => {
    await f.takeApart();
    f.services.db.prepare(`DELETE FROM snapshot_volume_specs WHERE snapshot_id = ?`).run(f.snapshot.id);
    const plan = await f.services.restore.preview(f.snapshot.id);
    expect(plan.notes?.join('\n')).toMatch(/labels derived from the workload/);
    const run = await f.cli(['restore', f.snapshot.id, '--confirm', f.snapshot.name, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(await labelsOf(f.removed)).toMatchObject({
      'com.docker.compose.project': f.project,
      'com.docker.compose.volume': 'cache',
    });
    expect(await f.trees()).toEqual(f.snapTrees);
    expect(await f.containers()).toEqual([]);
  }, 120_000);

  it('refuses a volume recorded with a driver other than local, and changes nothing', async () => {
    await f.takeApart();
    f.services.db
      .prepare(
        `INSERT OR REPLACE INTO snapshot_volume_specs (snapshot_id, volume_name, driver, options, labels) VALUES (?, ?, 'rexray/ebs', '{}', '{}')`,
      )
      .run(f.snapshot.id, f.removed);
    try {
      await expect(
        f.services.restore.start({ snapshot: f.snapshot.id, confirm: f.snapshot.name }),
      ).rejects.toMatchObject({ kind: 'Unsupported', message: new RegExp(`${f.removed}.*"rexray/ebs" driver`) });
      expect(await volumeExists(docker, f.removed)).toBe(false);
      expect(await volumeTree(docker, f.kept)).toEqual(f.oldKept);
    } finally {
      f.services.db
        .prepare(`DELETE FROM snapshot_volume_specs WHERE snapshot_id = ? AND volume_name = ?`)
        .run(f.snapshot.id, f.removed);
    }
  });

  it('a volume made again by someone else between plan and swap: Conflict, rolled back, theirs left alone', async () => {
    await f.takeApart();
    const stall = path.join(f.dataDir, 'stall');
    const run = f.cli(['restore', f.snapshot.id, '--confirm', f.snapshot.name, '--no-safety-snapshot', '--json'], {
      VOLSNAP_STALL_AT: 'stop',
      VOLSNAP_STALL_FILE: stall,
    });
    await waitForStall(stall, run);
    // The restore created and staged the volume; someone removes it and makes their own.
    expect((await labelsOf(f.removed))[CREATED_BY_LABEL]).toMatch(/^[0-9a-f]{16}$/);
    await docker.getVolume(f.removed).remove();
    await docker.createVolume({ Name: f.removed, Labels: { 'io.volsnap.test': '1', theirs: 'yes' } });
    rmSync(stall);
    const done = await run;
    expect(done.code).not.toBe(0);
    const { error } = JSON.parse(done.stderr.trim().split('\n').pop()!) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('Conflict');
    expect(error.message).toMatch(new RegExp(`${f.removed} was removed or created by someone else`));
    // Theirs is untouched (and empty: the clean-up took nothing of its own); ours kept its old contents.
    expect(await labelsOf(f.removed)).toMatchObject({ theirs: 'yes' });
    expect(await volumeTree(docker, f.removed)).toEqual([]);
    expect(await volumeTree(docker, f.kept)).toEqual(f.oldKept);
    expect(existsSync(stall)).toBe(false);
  }, 120_000);
});
