import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../main';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../../test/engine';

/** Runs `volsnap` in this process (the same code as the built bin) and collects its output. */
async function volsnap(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: '', stderr: '' };
  stdout.on('data', (d: Buffer) => (chunks.stdout += d.toString()));
  stderr.on('data', (d: Buffer) => (chunks.stderr += d.toString()));
  const code = await runCli(args, {
    stdout: stdout as unknown as typeof process.stdout,
    stderr: stderr as unknown as typeof process.stderr,
  });
  return { code, ...chunks };
}

describeEngine('volsnap diff', () => {
  const docker = testDocker();
  const data = tempDir();
  const workloads: TestWorkload[] = [];
  const volume = uniqueName('clidiff');
  let app: TestWorkload;
  let snapshotId: string;

  async function capture(w: TestWorkload): Promise<string> {
    const r = await volsnap(['--data-dir', data.path, '--json', 'capture', w.id, '--mode', 'live']);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { id: string }).id;
  }

  beforeAll(async () => {
    app = await createWorkload(docker, {
      services: [{ name: uniqueName('cliapp'), volumes: [{ volume, destination: '/data' }] }],
      seed: `cd /seed/${volume} && printf 'a\\nb\\n' > notes.txt && echo x > 'with space.txt'`,
    });
    workloads.push(app);
    snapshotId = await capture(app);
    await runScript(
      docker,
      [`${volume}:/v`],
      `printf 'a\\nc\\n' > /v/notes.txt && rm '/v/with space.txt' && echo n > /v/new.txt`,
    );
  });
  afterAll(async () => {
    for (const w of workloads) await w.remove();
    data.remove();
  });

  it('prints the diff against the live volume as JSON and for a person', async () => {
    const json = await volsnap(['--data-dir', data.path, '--json', 'diff', snapshotId]);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as {
      summary: { added: number; removed: number; modified: number };
      volumes: { volumeName: string; added: { path: string }[]; modified: { path: string; changes: string[] }[] }[];
    };
    expect(result.summary).toMatchObject({ added: 1, removed: 1, modified: 1 });
    expect(result.volumes[0]).toMatchObject({
      volumeName: volume,
      added: [{ path: 'new.txt' }],
      modified: [{ path: 'notes.txt', changes: ['content'] }],
    });
    const human = await volsnap(['--data-dir', data.path, 'diff', snapshotId.slice(0, 8), '--against', 'current']);
    expect(human.stdout).toContain('+ new.txt');
    expect(human.stdout).toContain('- "with space.txt"');
    expect(human.stdout).toContain('~ notes.txt  content');
  });

  it('prints a unified diff of one file', async () => {
    const r = await volsnap(['--data-dir', data.path, 'diff', snapshotId, '--volume', volume, '--file', 'notes.txt']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('-b\n+c');
  });

  it('explains bad input: usage, snapshots of different workloads, engine down', async () => {
    const usage = await volsnap(['--data-dir', data.path, 'diff', snapshotId, '--volume', volume]);
    expect(usage.code).toBe(2);
    const other = await createWorkload(docker, {
      services: [{ name: uniqueName('other'), volumes: [{ volume: uniqueName('othervol'), destination: '/d' }] }],
    });
    workloads.push(other);
    const otherId = await capture(other);
    const mixed = await volsnap(['--data-dir', data.path, '--json', 'diff', snapshotId, '--against', otherId]);
    expect(mixed.code).toBe(1);
    expect(JSON.parse(mixed.stderr)).toEqual({
      error: {
        kind: 'InvalidInput',
        message: expect.stringContaining('cannot diff snapshots of different workloads') as unknown,
      },
    });
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///tmp/volsnap-missing-engine.sock';
    try {
      const down = await volsnap(['--data-dir', data.path, '--json', 'diff', snapshotId]);
      expect(down.code).toBe(1);
      expect((JSON.parse(down.stderr) as { error: { kind: string } }).error.kind).toBe('EngineUnavailable');
    } finally {
      process.env.DOCKER_HOST = saved;
    }
  });
});
