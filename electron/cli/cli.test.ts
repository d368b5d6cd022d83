import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../store/db';
import { Leases } from '../store/leases';
import {
  containerState,
  createWorkload,
  describeEngine,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../test/engine';
import { CLI_BIN, ensureCliBuilt, runCliSync } from '../../test/cli';
import type { Snapshot } from '../../shared/types';

describeEngine('volsnap CLI', () => {
  const docker = testDocker();
  const data = tempDir();
  let w: TestWorkload;

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliSync(data.path, args, env);
  function json<T = Record<string, unknown>>(args: string[]): T {
    const r = cli(['--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  }

  beforeAll(async () => {
    ensureCliBuilt();
    const vol = uniqueName('clivol');
    w = await createWorkload(docker, {
      services: [{ name: uniqueName('cliapp'), volumes: [{ volume: vol, destination: '/data' }] }],
      seed: `echo hello > /seed/${vol}/hello.txt && dd if=/dev/urandom of=/seed/${vol}/big bs=1M count=64 2>/dev/null`,
    });
  });
  afterAll(async () => {
    await w.remove();
    data.remove();
  });

  it('prints workloads and snapshots as JSON with the documented keys', () => {
    const workloads = json<Record<string, unknown>[]>(['workloads']);
    const mine = workloads.find((x) => x.id === w.id);
    expect(mine).toMatchObject({ id: w.id, name: w.name, kind: 'container' });
    expect(mine).toHaveProperty('containers');
    expect(mine).toHaveProperty('volumes');

    const snapshot = json(['capture', w.name, '--name', 'cli-first', '--note', 'before migration', '--mode', 'live']);
    for (const key of [
      'id',
      'name',
      'workloadId',
      'createdAt',
      'trigger',
      'mode',
      'status',
      'pinned',
      'sizeBytes',
      'fileCount',
      'volumes',
    ]) {
      expect(snapshot).toHaveProperty(key);
    }
    expect(snapshot).toMatchObject({
      name: 'cli-first',
      workloadId: w.id,
      trigger: 'cli',
      mode: 'live',
      status: 'ready',
      pinned: false,
      note: 'before migration',
    });
    expect(new Date(snapshot.createdAt as string).toISOString()).toBe(snapshot.createdAt);
    expect((snapshot.volumes as Record<string, unknown>[])[0]).toEqual(
      expect.objectContaining({
        volumeName: w.volumes[0],
        mountDestination: '/data',
        fileCount: 2,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      }),
    );

    const list = json<{ id: string }[]>(['list', w.name]);
    expect(list.map((s) => s.id)).toEqual([snapshot.id]);
    expect(json(['show', (snapshot.id as string).slice(0, 6)])).toMatchObject({ id: snapshot.id });
    expect(json(['verify', 'cli-first'])).toMatchObject({ ok: true });
    expect(json(['pin', 'cli-first'])).toMatchObject({ pinned: true });
    expect(cli(['prune']).code).toBe(0);
    expect(json(['unpin', 'cli-first'])).toMatchObject({ pinned: false });
    expect(json<{ kind: string; status: string }[]>(['jobs'])[0]).toMatchObject({
      kind: 'capture',
      status: 'succeeded',
    });
  });

  it('reports errors as JSON on stderr with exit 1, usage errors with exit 2', () => {
    const unknown = cli(['--json', 'show', 'no-such-snapshot']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(JSON.parse(unknown.stderr)).toEqual({
      error: { kind: 'NotFound', message: expect.stringContaining('no-such-snapshot') as unknown },
    });

    expect(cli(['capture']).code).toBe(2);
    expect(cli(['capture', w.name, '--mode', 'sometimes']).code).toBe(2);
    expect(cli(['frobnicate']).code).toBe(2);
    expect(cli(['delete', 'cli-first']).code).toBe(2);
    const mismatch = cli(['--json', 'delete', 'cli-first', '--confirm', 'cli-firs']);
    expect((JSON.parse(mismatch.stderr) as { error: { kind: string } }).error.kind).toBe('ConfirmationMismatch');
  });

  it("checks flags with the contract's rules, as the app does, and names the flag that broke one", () => {
    const longName = cli(['--json', 'capture', w.name, '--name', 'n'.repeat(121)]);
    expect(longName.code).toBe(2);
    const { error } = JSON.parse(longName.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('InvalidInput');
    expect(error.message).toMatch(/^Invalid input for volsnap capture: --name: .*120/);
    const mode = cli(['diff', 'cli-first', '--mode', 'stop']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/--mode: .*"live"\|"pause"/);
    expect(mode.stderr).toContain('Usage: volsnap diff');
    const volume = cli(['restore', 'cli-first', '--dry-run', '--volume', '']);
    expect(volume.code).toBe(2);
    expect(volume.stderr).toContain('--volume: ');
    expect(json<Snapshot[]>(['list']).some((s) => s.name.startsWith('nnn'))).toBe(false);
  });

  it('names the endpoint and what to do when the engine is down', () => {
    const r = cli(['--json', 'workloads'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('EngineUnavailable');
    expect(error.message).toContain('unix:///nonexistent/docker.sock');
    expect(error.message).toMatch(/Start Docker|DOCKER_HOST/);
  });

  it('refuses a capture while another process holds the workload', () => {
    const db = openDb(data.path);
    const lease = new Leases(db).acquire(w.id, { id: 'abcdefabcdefabcd', kind: 'restore' });
    try {
      const r = cli(['--json', 'capture', w.name]);
      expect(r.code).toBe(1);
      expect((JSON.parse(r.stderr) as { error: unknown }).error).toMatchObject({
        kind: 'Conflict',
        message: expect.stringContaining('abcdefabcdefabcd') as unknown,
      });
    } finally {
      lease.release();
      db.close();
    }
  });

  it('cleans up after a capture killed mid-way: snapshot failed, files gone, workload resumed', async () => {
    const child = spawn(
      'node',
      [CLI_BIN, '--data-dir', data.path, 'capture', w.name, '--mode', 'pause', '--name', 'killed'],
      { stdio: 'ignore' },
    );
    // Kill it once the workload is paused, i.e. in the middle of the capture window.
    for (let i = 0; i < 200 && (await containerState(docker, w.containers[0]!)).status !== 'paused'; i++)
      await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(cli(['prune']).code).toBe(0); // any mutating command sweeps first
    expect(json(['show', 'killed'])).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('interrupted') as unknown,
    });
    expect((await containerState(docker, w.containers[0]!)).status).toBe('running');
    const helpers = await docker.listContainers({ all: true, filters: { label: ['io.volsnap.helper'] } });
    expect(helpers.filter((h) => h.Mounts.some((m) => m.Name === w.volumes[0]))).toEqual([]);
  });

  it('deletes with the exact name typed as confirmation', () => {
    expect(json(['delete', 'cli-first', '--confirm', 'cli-first'])).toMatchObject({ name: 'cli-first' });
    expect(cli(['show', 'cli-first']).code).toBe(1);
  });
});
