import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '../index';
import { CLONED_FROM_LABEL } from './clone-service';
import { runCli, type CliRun } from './restore-fixture.test-util';
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
 * `volsnap clone`: new volumes holding exactly the snapshot (compared with the same busybox
 * listing as the capture fidelity test, plus hardlink identity), labelled with where they came
 * from; an existing, invalid or unknown name changes nothing; a crash leaves no half-made volume.
 */
describeEngine('clone a snapshot into new volumes', () => {
  const docker = testDocker();
  const project = uniqueName('vsclone');
  const [a, b] = [`${project}-a`, `${project}-b`];
  const dir = tempDir('volsnap-clone-');
  const made: string[] = [];
  let services: Services;
  let workload: TestWorkload;
  let snap: { id: string; name: string };
  let snapTrees: Record<string, TreeEntry[]>;
  const cli = async (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
    runCli(['--data-dir', dir.path, ...args], env);
  const exists = (v: string) =>
    docker
      .getVolume(v)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  const errorOf = (run: CliRun) => (JSON.parse(run.stderr) as { error: { kind: string; message: string } }).error;

  beforeAll(async () => {
    workload = await createWorkload(docker, {
      project,
      services: [
        { name: 'app', volumes: [{ volume: a, destination: '/data' }] },
        { name: 'db', volumes: [{ volume: b, destination: '/db' }] },
      ],
      seed: `cd /seed/${a} && mkdir -p empty 'with space/nested' && chmod 700 empty &&
        printf 'hello' > 'with space/nested/a.txt' && chown 999:998 'with space/nested/a.txt' && chmod 640 'with space/nested/a.txt' &&
        printf 'ünïcødé' > 'ünïcødé 名前.txt' && printf 'x' > "$(printf 'new\\nline')" &&
        ln -s 'with space/nested/a.txt' link && ln -s /etc/passwd abs-link && ln 'with space/nested/a.txt' hard &&
        chmod 4755 'with space' && : > zero && chmod 750 . && chown 5:6 . &&
        echo db > /seed/${b}/data`,
    });
    services = createServices({ dataDir: dir.path, docker });
    const s = await (await services.capture.start({ workload: workload.id, name: `${project}-s`, mode: 'live' })).done;
    snap = { id: s.id, name: s.name };
    snapTrees = { [a]: await volumeTree(docker, a), [b]: await volumeTree(docker, b) };
    // The originals move on; clones must hold the snapshot, not today's contents.
    await runScript(docker, [`${a}:/a`, `${b}:/b`], 'echo later > /a/zero; echo later > /b/data');
  }, 180_000);
  afterAll(async () => {
    services?.close();
    await workload?.remove();
    for (const v of made)
      await docker
        .getVolume(v)
        .remove()
        .catch(() => undefined);
    dir.remove();
  });

  it('clones one volume into a new one: exactly the snapshot, root and hardlinks included, labelled', async () => {
    const to = `${project}-copy`;
    made.push(to);
    const run = await cli(['clone', snap.id, '--volume', a, '--to', to, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ snapshotId: snap.id, volumes: [{ from: a, to }] });
    expect(await volumeTree(docker, to)).toEqual(snapTrees[a]);
    const facts = await runScript(
      docker,
      [`${to}:/v:ro`],
      `stat -c '%a %u:%g' /v; [ "$(stat -c %i /v/hard)" = "$(stat -c %i '/v/with space/nested/a.txt')" ] && echo hardlinked`,
    );
    expect(facts.trim().split('\n')).toEqual(['750 5:6', 'hardlinked']);
    const info = (await docker.getVolume(to).inspect()) as { Labels: Record<string, string> };
    expect(info.Labels[CLONED_FROM_LABEL]).toBe(`${snap.id}/${a}`);
  }, 120_000);

  it('clones every volume with --suffix', async () => {
    made.push(`${a}-x`, `${b}-x`);
    const run = await cli(['clone', snap.name, '--suffix=-x', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { volumes: { to: string }[] }).volumes.map((v) => v.to)).toEqual([
      `${a}-x`,
      `${b}-x`,
    ]);
    expect(await volumeTree(docker, `${a}-x`)).toEqual(snapTrees[a]);
    expect(await volumeTree(docker, `${b}-x`)).toEqual(snapTrees[b]);
  }, 120_000);

  it('refuses an existing target with Conflict and leaves it as it was', async () => {
    const before = await volumeTree(docker, b);
    const run = await cli(['clone', snap.id, '--volume', a, '--to', b, '--json']);
    expect(run.code).not.toBe(0);
    expect(errorOf(run)).toMatchObject({
      kind: 'Conflict',
      message: expect.stringContaining(`Volume ${b} already exists`) as unknown,
    });
    expect(await volumeTree(docker, b)).toEqual(before);
  }, 60_000);

  it('refuses an invalid name or a volume not in the snapshot with InvalidInput, creating nothing', async () => {
    const invalid = await cli(['clone', snap.id, '--volume', a, '--to', 'bad/name', '--json']);
    expect(errorOf(invalid)).toMatchObject({
      kind: 'InvalidInput',
      message: expect.stringContaining('"bad/name" is not a valid volume name') as unknown,
    });
    const unknown = await cli(['clone', snap.id, '--volume', `${project}-nope`, '--to', `${project}-n`, '--json']);
    expect(errorOf(unknown)).toMatchObject({
      kind: 'InvalidInput',
      message: expect.stringContaining(`has no volume ${project}-nope`) as unknown,
    });
    expect(await exists(`${project}-n`)).toBe(false);
  }, 60_000);

  it('a crash before the swap leaves no half-made volume after recovery; one after it finishes the clone', async () => {
    const early = `${project}-early`;
    const late = `${project}-late`;
    made.push(early, late);
    const killedEarly = await cli(['clone', snap.id, '--volume', a, '--to', early, '--json'], {
      VOLSNAP_CRASH_AT: 'stage',
    });
    expect(killedEarly.signal).toBe('SIGKILL');
    expect(await exists(early)).toBe(true);
    const killedLate = await cli(['clone', snap.id, '--volume', a, '--to', late, '--json'], {
      VOLSNAP_CRASH_AT: 'commit',
    });
    expect(killedLate.signal).toBe('SIGKILL');
    const recovered = await cli(['recover', '--json']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(await exists(early)).toBe(false);
    expect(await volumeTree(docker, late)).toEqual(snapTrees[a]);
  }, 180_000);
});
