import Docker from 'dockerode';
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useDockerContext, writeDockerContext } from '../../test/docker-config';
import { startSecondEngine, stopSecondEngine } from '../../test/second-engine';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../test/engine';
import type { EngineCandidate } from './engine-candidates';
import { engineIdOf, type EngineInfo } from './engine-identity';
import type { Snapshot } from '../../shared/types';

// Two real engines: A is the shared private test engine, B a second private dockerd this file starts
// (and stops). With DOCKER_HOST unset, the CLI must find them through docker contexts written the
// way the docker CLI writes them, keep their snapshots apart, and refuse to restore A's onto B.
const rootB = '/tmp/volsnap-engine-b';
const socketA = (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '');
const socketB = `${rootB}/docker.sock`;
const CLI = path.resolve('dist/cli.cjs');

const home = tempDir('volsnap-engines-home-');
const data = tempDir('volsnap-engines-data-');
const dockerConfig = path.join(home.path, '.docker');
let dockerA: Docker;
let dockerB: Docker;
let idA: string;
let idB: string;
let onA: TestWorkload;
let onB: TestWorkload;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI with no DOCKER_HOST, a temporary HOME (docker contexts) and its own config and data. */
function cli(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home.path,
    VOLSNAP_CONFIG_DIR: path.join(home.path, 'volsnap-config'),
    VOLSNAP_DATA_DIR: data.path,
    VOLSNAP_TEST_DEFAULT_ENDPOINT: `unix://${home.path}/no-system-engine.sock`,
    XDG_RUNTIME_DIR: path.join(home.path, 'run'),
  };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_CONFIG;
  Object.assign(env, extra);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function json<T>(args: string[], extra: Record<string, string> = {}): Promise<T> {
  const run = await cli(['--json', ...args], extra);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** Which engine (by id) the CLI used, as `volsnap engines` reports the current one. */
async function currentEngine(args: string[] = [], extra: Record<string, string> = {}): Promise<[string, string]> {
  const engines = await json<EngineCandidate[]>([...args, 'engines'], extra);
  const current = engines.filter((e) => e.current);
  expect(current).toHaveLength(1);
  return [current[0]!.name, current[0]!.engineId === idA ? 'A' : current[0]!.engineId === idB ? 'B' : '?'];
}

function startEngineB(): void {
  startSecondEngine(rootB);
}

/** Stops the dockerd this file started (by its pid) and removes its root. */
function stopEngineB(): void {
  stopSecondEngine(rootB);
}

describeEngine('two engines reached through docker contexts', () => {
  beforeAll(async () => {
    if (!existsSync(CLI)) execFileSync(process.execPath, ['scripts/build.mjs', 'node'], { stdio: 'ignore' });
    startEngineB();
    dockerA = testDocker();
    dockerB = new Docker({ socketPath: socketB });
    idA = engineIdOf((await dockerA.info()) as EngineInfo, '');
    idB = engineIdOf((await dockerB.info()) as EngineInfo, '');
    expect(idA).not.toBe(idB);
    writeDockerContext(dockerConfig, 'alpha', `unix://${socketA}`);
    writeDockerContext(dockerConfig, 'bravo', `unix://${socketB}`);
    // The same workload (same container and volume names) on both engines, as on two laptops.
    const container = uniqueName('eng-app');
    const volume = uniqueName('eng-data');
    const spec = { services: [{ name: container, volumes: [{ volume, destination: '/data' }] }] };
    onA = await createWorkload(dockerA, { ...spec, seed: `echo from-a > /seed/${volume}/who` });
    onB = await createWorkload(dockerB, { ...spec, seed: `echo from-b > /seed/${volume}/who` });
  }, 120_000);

  afterAll(async () => {
    await onA?.remove();
    await onB?.remove();
    stopEngineB();
    home.remove();
    data.remove();
  }, 60_000);

  it('follows currentContext, the setting, DOCKER_CONTEXT and --context, each above the last', async () => {
    useDockerContext(dockerConfig, 'alpha');
    expect(await currentEngine()).toEqual(['alpha', 'A']);
    expect((await cli(['config', 'set', 'engine', 'bravo'])).code).toBe(0);
    expect(await currentEngine()).toEqual(['bravo', 'B']);
    expect(await currentEngine([], { DOCKER_CONTEXT: 'alpha' })).toEqual(['alpha', 'A']);
    expect(await currentEngine(['--context', 'bravo'], { DOCKER_CONTEXT: 'alpha' })).toEqual(['bravo', 'B']);
    expect((await cli(['config', 'set', 'engine', 'null'])).code).toBe(0);
    expect(await currentEngine()).toEqual(['alpha', 'A']);
    // And the commands really talk to that engine: each sees its own copy of the workload.
    const workloadsOn = async (args: string[]) =>
      (await json<{ id: string }[]>([...args, 'workloads'])).some((w) => w.id === onA.id);
    expect(await workloadsOn([])).toBe(true);
    expect(await workloadsOn(['--context', 'bravo'])).toBe(true);
  });

  it('lists both engines with their ids and versions', async () => {
    const engines = await json<EngineCandidate[]>(['engines']);
    const byName = Object.fromEntries(engines.map((e) => [e.name, e]));
    expect(byName.alpha).toMatchObject({
      source: 'context',
      current: true,
      reachable: true,
      engineId: idA,
      error: null,
    });
    expect(byName.bravo).toMatchObject({
      source: 'context',
      current: false,
      reachable: true,
      engineId: idB,
      error: null,
    });
    expect(byName.alpha!.version).toMatch(/^\d+\./);
    expect(byName.alpha!.endpoint).toBe(`unix://${socketA}`);
    const human = await cli(['engines']);
    expect(human.stdout).toMatch(/^\*\s+alpha\s+context/m);
  });

  it("keeps A's snapshots off B's list and refuses to restore them onto B", async () => {
    useDockerContext(dockerConfig, 'alpha');
    const snapshot = await json<Snapshot>(['capture', onA.id, '--mode', 'live']);
    expect([snapshot.engineId, snapshot.engineName]).toEqual([idA, 'alpha']);
    expect((await json<Snapshot[]>(['list'])).map((s) => s.id)).toEqual([snapshot.id]);

    expect(await json<Snapshot[]>(['--context', 'bravo', 'list'])).toEqual([]);
    const all = await json<Snapshot[]>(['--context', 'bravo', 'list', '--all-engines']);
    expect(all.map((s) => s.id)).toEqual([snapshot.id]);

    const refused = await cli(['--json', '--context', 'bravo', 'restore', snapshot.id, '--confirm', snapshot.name]);
    expect(refused.code).toBe(1);
    const { error } = JSON.parse(refused.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('Conflict');
    expect(error.message).toContain(`engine "alpha" (id ${idA})`);
    expect(error.message).toContain(`engine "bravo" (id ${idB})`);
    // B's own volume of the same name is untouched.
    expect(await runScript(dockerB, [`${onB.volumes[0]}:/v`], 'cat /v/who')).toBe('from-b\n');
  });

  it('shows snapshots from before engines were recorded everywhere, until a capture adopts them', async () => {
    useDockerContext(dockerConfig, 'alpha');
    const old = await json<Snapshot>(['capture', onA.id, '--mode', 'live']);
    const db = new Database(path.join(data.path, 'volsnap.db'));
    db.prepare('UPDATE snapshots SET engine_id = NULL, engine_name = NULL WHERE id = ?').run(old.id);
    db.close();
    expect((await json<Snapshot[]>(['--context', 'bravo', 'list'])).map((s) => s.id)).toEqual([old.id]);
    await json<Snapshot>(['capture', onA.id, '--mode', 'live']);
    expect(await json<Snapshot[]>(['--context', 'bravo', 'list'])).toEqual([]);
    expect((await json<Snapshot>(['show', old.id])).engineId).toBe(idA);
  });

  it("lists the last known engine's snapshots while that engine is down, and says it is offline", async () => {
    const onBravo = await json<Snapshot>(['--context', 'bravo', 'capture', onB.id, '--mode', 'live']);
    expect(onBravo.engineId).toBe(idB);
    stopEngineB();
    const run = await cli(['--json', '--context', 'bravo', 'list']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Snapshot[]).map((s) => s.id)).toEqual([onBravo.id]);
    expect(run.stderr).toContain('engine "bravo" is offline');
  });
});
