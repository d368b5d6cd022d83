import { openSync, readdirSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorkload, describeEngine, tempDir, testDocker, uniqueName, type TestWorkload } from '../../test/engine';
import { ensureCliBuilt, runCliSync } from '../../test/cli';

describeEngine('volsnap verify exit code', () => {
  const docker = testDocker();
  const data = tempDir();
  let w: TestWorkload;

  const cli = (args: string[]) => runCliSync(data.path, args);

  beforeAll(async () => {
    ensureCliBuilt();
    const vol = uniqueName('verifyvol');
    w = await createWorkload(docker, {
      services: [{ name: uniqueName('verifyapp'), volumes: [{ volume: vol, destination: '/data' }] }],
      seed: `echo hello > /seed/${vol}/hello.txt && dd if=/dev/urandom of=/seed/${vol}/big bs=64k count=4 2>/dev/null`,
    });
  });
  afterAll(async () => {
    await w.remove();
    data.remove();
  });

  it('exits 0 on a sound snapshot and 1 (document still printed with --json) on a damaged one', () => {
    const captured = cli(['--json', 'capture', w.name, '--name', 'to-damage']);
    expect(captured.code, captured.stderr).toBe(0);
    const { id } = JSON.parse(captured.stdout) as { id: string };

    const sound = cli(['verify', 'to-damage']);
    expect(sound.code, sound.stderr).toBe(0);
    expect(sound.stdout).toMatch(/^ok /);

    // Flip bytes in the middle of the volume's stored file (a format 1 archive or a format 2
    // layout), as a bad disk or a stray write would.
    const dir = path.join(data.path, 'archives', id);
    const archive = readdirSync(dir).find((f) => !f.startsWith('.'))!;
    const fd = openSync(path.join(dir, archive), 'r+');
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, 200);
    closeSync(fd);

    const human = cli(['verify', 'to-damage']);
    expect(human.stdout).toContain('FAILED');
    expect(human.code).toBe(1);

    const json = cli(['--json', 'verify', 'to-damage']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ snapshotId: id, ok: false });
  });
});
