import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  containerState,
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
} from '../../test/engine';
import { ensureCliBuilt, runCliSync } from '../../test/cli';

/**
 * A volume created with `--opt type=tmpfs` lives in memory and is emptied when its last container
 * stops. Before the fix a restore into it reported "Restored" and left it empty (current and
 * restored data both lost), and a `--mode stop` capture emptied it before reading it.
 */
describeEngine('memory-backed (tmpfs) volumes', () => {
  const docker = testDocker();
  const data = tempDir();
  let w: TestWorkload;
  let volume: string;

  const cli = (args: string[]) => runCliSync(data.path, args);

  beforeAll(async () => {
    ensureCliBuilt();
    volume = uniqueName('tmpfsvol');
    await docker.createVolume({
      Name: volume,
      Driver: 'local',
      DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=16m' },
      Labels: { 'io.volsnap.test': '1' },
    });
    // createWorkload reuses the volume: the running container keeps the tmpfs mounted.
    w = await createWorkload(docker, {
      services: [
        { name: uniqueName('tmpfsapp'), volumes: [{ volume, destination: '/data' }], restart: 'unless-stopped' },
      ],
    });
    await runScript(docker, [`${volume}:/v`], 'echo v1 > /v/state.txt && mkdir /v/dir && echo x > /v/dir/x');
  });
  afterAll(async () => {
    await w.remove();
    data.remove();
  });

  it('capture in pause mode works and warns that the volume cannot be restored into', async () => {
    const r = cli(['--json', 'capture', w.name, '--name', 'tmpfs-snap', '--mode', 'pause']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`volume ${volume} is a tmpfs`);
    expect(r.stderr).toContain('will not restore into it while only this workload mounts it');
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ready', fileCount: 2 });
  });

  it('capture in stop mode is refused before any container stops, and the volume keeps its files', async () => {
    const before = await volumeTree(docker, volume);
    const r = cli(['capture', w.name, '--name', 'tmpfs-stop', '--mode', 'stop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot capture with --mode stop');
    expect(r.stderr).toContain(`volume ${volume} is a tmpfs`);
    expect(await volumeTree(docker, volume)).toEqual(before);
    expect(await containerState(docker, w.containers[0]!)).toEqual({
      status: 'running',
      restartPolicy: 'unless-stopped',
    });
    expect(cli(['--json', 'list']).stdout).not.toContain('tmpfs-stop');
  });

  it('restore is refused with the reason, and the volume and container are untouched', async () => {
    await runScript(docker, [`${volume}:/v`], 'echo v2 > /v/state.txt');
    const current = await volumeTree(docker, volume);
    const r = cli(['restore', 'tmpfs-snap', '--confirm', 'tmpfs-snap']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`volume ${volume} is a tmpfs`);
    expect(r.stderr).toContain('Nothing was stopped or touched');
    expect(await volumeTree(docker, volume)).toEqual(current);
    expect(await runScript(docker, [`${volume}:/v`], 'cat /v/state.txt')).toBe('v2\n');
    expect(await containerState(docker, w.containers[0]!)).toEqual({
      status: 'running',
      restartPolicy: 'unless-stopped',
    });
    // No safety snapshot was taken either.
    const snapshots = JSON.parse(cli(['--json', 'list']).stdout) as { trigger: string }[];
    expect(snapshots.map((s) => s.trigger)).toEqual(['cli']);
  });

  it('restores when a container outside the workload keeps the volume mounted, and the data survives', async () => {
    const keeper = await docker.createContainer({
      name: uniqueName('tmpfskeeper'),
      Image: 'busybox:latest',
      Cmd: ['sleep', '100000'],
      Labels: { 'io.volsnap.test': '1' },
      StopSignal: 'SIGKILL',
      HostConfig: { NetworkMode: 'none', Binds: [`${volume}:/keep`] },
    });
    try {
      await keeper.start();
      const r = cli(['restore', 'tmpfs-snap', '--confirm', 'tmpfs-snap']);
      expect(r.code, r.stderr).toBe(0);
      expect(await runScript(docker, [`${volume}:/v`], 'cat /v/state.txt /v/dir/x')).toBe('v1\nx\n');
      expect(await containerState(docker, w.containers[0]!)).toEqual({
        status: 'running',
        restartPolicy: 'unless-stopped',
      });
    } finally {
      await keeper.remove({ force: true });
    }
  });
});
