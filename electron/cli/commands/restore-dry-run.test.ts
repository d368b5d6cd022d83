import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createWorkload,
  describeEngine,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../../test/engine';
import { ensureCliBuilt, runCliSync } from '../../../test/cli';

describeEngine('volsnap restore --dry-run exit code', () => {
  const docker = testDocker();
  const data = tempDir();
  let w: TestWorkload;

  const cli = (args: string[]) => runCliSync(data.path, args);

  beforeAll(async () => {
    ensureCliBuilt();
    const vol = uniqueName('dryrunvol');
    w = await createWorkload(docker, {
      services: [{ name: uniqueName('dryrunapp'), volumes: [{ volume: vol, destination: '/data' }] }],
      seed: `echo hello > /seed/${vol}/hello.txt`,
    });
  });
  afterAll(async () => {
    await w.remove();
    data.remove();
  });

  it('exits 0 with a plan that can run, 1 (plan still printed) when it cannot', async () => {
    const captured = cli(['--json', 'capture', w.name, '--name', 'dry-one', '--mode', 'live']);
    expect(captured.code, captured.stderr).toBe(0);

    const fine = cli(['restore', 'dry-one', '--dry-run']);
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.stdout).toMatch(/changes made since .+ to .+ will be replaced/);

    // The volume was replaced by a memory-backed one (the data would vanish at the next stop): the
    // plan has a blocker, and a script must not read the dry run as "go".
    const volume = w.volumes[0]!;
    await docker.getContainer(w.containers[0]!).remove({ force: true });
    await docker.getVolume(volume).remove();
    await docker.createVolume({ Name: volume, Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs' } });
    const blocked = cli(['restore', 'dry-one', '--dry-run']);
    expect(blocked.stdout).toContain('cannot restore:');
    expect(blocked.code).toBe(1);
    const json = cli(['--json', 'restore', 'dry-one', '--dry-run']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { blockers: string[] }).blockers.length).toBeGreaterThan(0);
  });
});
