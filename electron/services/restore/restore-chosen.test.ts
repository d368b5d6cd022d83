import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '../index';
import { runCli } from './restore-fixture.test-util';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
  type TreeEntry,
} from '../../../test/engine';

/**
 * `volsnap restore <snapshot> --volume <name>`: only the chosen volumes are restored and only the
 * containers that mount them are stopped; the other volume and its container are left alone.
 */
describeEngine('restore of chosen volumes', () => {
  const docker = testDocker();
  const project = uniqueName('vschosen');
  const [a, b] = [`${project}-a`, `${project}-b`];
  const dir = tempDir('volsnap-chosen-');
  let services: Services;
  let workload: TestWorkload;
  let snapshot: { id: string; name: string };
  let snapA: TreeEntry[];
  const startedAt = async (c: string) => (await docker.getContainer(c).inspect()).State.StartedAt;
  const cli = (args: string[]) => runCli(['--data-dir', dir.path, ...args], {});

  beforeAll(async () => {
    workload = await createWorkload(docker, {
      project,
      services: [
        { name: 'web', volumes: [{ volume: a, destination: '/a' }] },
        { name: 'db', volumes: [{ volume: b, destination: '/b' }] },
      ],
      seed: `echo a > /seed/${a}/file; mkdir /seed/${a}/d; echo b > /seed/${b}/file`,
    });
    services = createServices({ dataDir: dir.path, docker });
    const snap = await (
      await services.capture.start({ workload: workload.id, name: `${project}-s`, mode: 'live' })
    ).done;
    snapshot = { id: snap.id, name: snap.name };
    snapA = await volumeTree(docker, a);
    await runScript(docker, [`${a}:/a`, `${b}:/b`], 'echo changed > /a/file; rm -r /a/d; echo changed > /b/file');
  }, 120_000);
  afterAll(async () => {
    services?.close();
    await workload?.remove();
    dir.remove();
  });

  it('restores only the chosen volume and stops only the container that mounts it', async () => {
    const beforeB = await volumeTree(docker, b);
    const dbStarted = await startedAt(`${project}-db-1`);
    const dry = await cli(['restore', snapshot.id, '--dry-run', '--volume', a, '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { volumes: { volumeName: string }[]; containersToStop: string[] };
    expect(plan.volumes.map((v) => v.volumeName)).toEqual([a]);
    expect(plan.containersToStop).toEqual([`${project}-web-1`]);
    const run = await cli(['restore', snapshot.id, '--confirm', snapshot.name, '--volume', a, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(await volumeTree(docker, a)).toEqual(snapA);
    expect(await volumeTree(docker, b)).toEqual(beforeB);
    // The db container was never stopped: same start time, still running.
    expect(await startedAt(`${project}-db-1`)).toBe(dbStarted);
    expect((await docker.getContainer(`${project}-web-1`).inspect()).State.Running).toBe(true);
  }, 120_000);

  it('refuses a volume name that is not in the snapshot with InvalidInput, and changes nothing', async () => {
    const before = [await volumeTree(docker, a), await volumeTree(docker, b)];
    const started = [await startedAt(`${project}-web-1`), await startedAt(`${project}-db-1`)];
    const run = await cli([
      'restore',
      snapshot.id,
      '--confirm',
      snapshot.name,
      '--volume',
      `${project}-nope`,
      '--json',
    ]);
    expect(run.code).not.toBe(0);
    const { error } = JSON.parse(run.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('InvalidInput');
    expect(error.message).toContain(`has no volume ${project}-nope; nothing was changed. Its volumes: ${a}, ${b}`);
    expect([await volumeTree(docker, a), await volumeTree(docker, b)]).toEqual(before);
    expect([await startedAt(`${project}-web-1`), await startedAt(`${project}-db-1`)]).toEqual(started);
  }, 60_000);
});
