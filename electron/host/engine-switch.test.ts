import Docker from 'dockerode';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ServicesHolder } from './engine-switch';
import { invokeCommand } from './handlers';
import { connectEngine } from '../docker/engine';
import { resolveEngine } from '../docker/engine-resolve';
import { createServices, type Services } from '../services';
import { configFilePath, readEngineSetting } from '../services/data-dir-pointer';
import { useDockerContext, writeDockerContext } from '../../test/docker-config';
import { createWorkload, describeEngine, tempDir, testDocker, uniqueName, type TestWorkload } from '../../test/engine';
import { startSecondEngine, stopSecondEngine, type SecondEngine } from '../../test/second-engine';
import type { EngineCandidate, EngineStatus, EventMap } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import type { Snapshot, Workload } from '../../shared/types';

// The host layer both hosts share (engine-switch.ts), over two real engines: A (the shared private
// engine) and B (a dockerd this file starts), reached through docker contexts in a temporary HOME,
// as a desktop app started from the dock would (no DOCKER_HOST).
const rootB = '/tmp/volsnap-engine-switch-b';
const home = tempDir('volsnap-switch-home-');
const data = tempDir('volsnap-switch-data-');
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: home.path,
  DOCKER_CONFIG: path.join(home.path, '.docker'),
  VOLSNAP_CONFIG_DIR: path.join(home.path, 'volsnap-config'),
  XDG_RUNTIME_DIR: path.join(home.path, 'run'),
};
const socketA = (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '');
let engineB: SecondEngine;
let services: Services;
let holder: ServicesHolder;
let onA: TestWorkload;
let onB: TestWorkload;
/** On B, named like `onA`: the same workload id, another engine's volumes. */
let twinOnB: TestWorkload;
const events: { event: keyof EventMap; payload: unknown }[] = [];
let stopBridge = () => {};

async function call<T>(command: string, input: unknown = {}): Promise<T> {
  const result = (await invokeCommand(holder.handlers, command, input)) as Result<T>;
  if (!result.ok) throw new Error(`${command}: ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

async function refused(command: string, input: unknown): Promise<{ kind: string; message: string }> {
  const result = await invokeCommand(holder.handlers, command, input);
  if (result.ok) throw new Error(`${command} was not refused`);
  return result.error;
}

async function engineNamed(name: string): Promise<EngineCandidate> {
  const found = (await call<EngineCandidate[]>('listEngines')).find((e) => e.name === name);
  if (!found) throw new Error(`no engine ${name}`);
  return found;
}

async function switchTo(name: string): Promise<EngineStatus> {
  const { endpoint } = await engineNamed(name);
  return call<EngineStatus>('switchEngine', { name, endpoint });
}

describeEngine('switching the host to another engine', () => {
  beforeAll(async () => {
    // Never fall back to the machine's own engine.
    process.env.VOLSNAP_TEST_DEFAULT_ENDPOINT = `unix://${home.path}/no-system-engine.sock`;
    engineB = startSecondEngine(rootB);
    writeDockerContext(env.DOCKER_CONFIG!, 'alpha', `unix://${socketA}`);
    writeDockerContext(env.DOCKER_CONFIG!, 'bravo', engineB.endpoint);
    useDockerContext(env.DOCKER_CONFIG!, 'alpha');
    onA = await createWorkload(testDocker(), {
      services: [{ name: uniqueName('sw-a'), volumes: [{ volume: uniqueName('sw-a-data'), destination: '/data' }] }],
      seed: 'true',
    });
    onB = await createWorkload(engineB.docker, {
      services: [{ name: uniqueName('sw-b'), volumes: [{ volume: uniqueName('sw-b-data'), destination: '/data' }] }],
      seed: 'true',
    });
    twinOnB = await createWorkload(engineB.docker, {
      services: [{ name: onA.name, volumes: [{ volume: uniqueName('sw-twin-data'), destination: '/data' }] }],
    });
    const alpha = await resolveEngine({ env });
    expect(alpha.name).toBe('alpha');
    services = createServices({ dataDir: data.path, docker: connectEngine(alpha) });
    holder = new ServicesHolder({ services, engine: alpha, env });
    stopBridge = holder.bridge((event, payload) => events.push({ event, payload }));
  }, 180_000);

  afterAll(async () => {
    stopBridge();
    holder?.close();
    services?.close();
    await onA?.remove();
    await onB?.remove().catch(() => undefined);
    await twinOnB?.remove().catch(() => undefined);
    stopSecondEngine(rootB);
    home.remove();
    data.remove();
  }, 60_000);

  it("captures on A, switches to B (empty list, B's workloads), and back to A (the snapshot is there)", async () => {
    const finished = new Promise<void>((resolve) => services.jobs.finishedEvents.on(() => resolve()));
    await call('captureWorkload', { workload: onA.id, mode: 'live' });
    await finished;
    const [snapshot] = await call<Snapshot[]>('listSnapshots', {});
    expect(snapshot?.workloadId).toBe(onA.id);
    expect(await call<EngineStatus>('engineStatus')).toMatchObject({ ok: true, name: 'alpha' });

    const engines = await call<EngineCandidate[]>('listEngines');
    expect(engines.find((e) => e.name === 'alpha')).toMatchObject({ current: true, reachable: true, error: null });
    expect(engines.find((e) => e.name === 'bravo')).toMatchObject({
      current: false,
      reachable: true,
      endpoint: engineB.endpoint,
    });

    const onBravo = await switchTo('bravo');
    expect(onBravo).toMatchObject({ ok: true, name: 'bravo', endpoint: engineB.endpoint });
    expect(events.at(-1)).toEqual({ event: 'engine:changed', payload: { name: 'bravo', endpoint: engineB.endpoint } });
    // Every CLI follows: the choice is the user's `engine` setting, as `volsnap config set engine bravo` writes it.
    expect(readEngineSetting(configFilePath(env))).toBe('bravo');
    expect(await call<Snapshot[]>('listSnapshots', {})).toEqual([]);
    const workloadsOnB = await call<Workload[]>('listWorkloads');
    expect(workloadsOnB.map((w) => w.id)).toContain(onB.id);
    // B's namesake of A's workload: A's snapshot is not counted as its own.
    expect(workloadsOnB.find((w) => w.id === onA.id)).toMatchObject({ lastSnapshotAt: null, snapshotBytes: 0 });
    expect((await call<EngineCandidate[]>('listEngines')).find((e) => e.current)?.name).toBe('bravo');
    // Same data dir: the snapshot is still in the store, just not this engine's.
    expect(holder.current.dataDir).toBe(data.path);
    expect(holder.current.snapshots.list().map((s) => s.id)).toEqual([snapshot!.id]);

    expect(await switchTo('alpha')).toMatchObject({ ok: true, name: 'alpha' });
    expect((await call<Snapshot[]>('listSnapshots', {})).map((s) => s.id)).toEqual([snapshot!.id]);
    const workloadsOnA = await call<Workload[]>('listWorkloads');
    expect(workloadsOnA.map((w) => w.id)).not.toContain(onB.id);
    expect(workloadsOnA.find((w) => w.id === onA.id)?.lastSnapshotAt).toBe(snapshot!.createdAt);
    expect(readEngineSetting(configFilePath(env))).toBe('alpha');
  });

  it('refuses to switch while a job runs on the current engine, and leaves everything as it was', async () => {
    let release = () => {};
    const job = holder.current.jobs.start(
      { kind: 'capture', workloadId: onA.id },
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    try {
      const bravo = await engineNamed('bravo');
      const error = await refused('switchEngine', { name: 'bravo', endpoint: bravo.endpoint });
      expect(error.kind).toBe('Conflict');
      expect(error.message).toContain('Cannot switch engines while a job runs on engine "alpha"');
      expect(error.message).toContain('Wait for it to finish, or cancel it in Jobs');
      expect(await call<EngineStatus>('engineStatus')).toMatchObject({ ok: true, name: 'alpha' });
      expect(readEngineSetting(configFilePath(env))).toBe('alpha');
    } finally {
      release();
      await job.done;
    }
    expect(await switchTo('bravo')).toMatchObject({ name: 'bravo' });
  });

  it('says which engine is down and why, and still switches to one that answers', async () => {
    expect((await call<EngineStatus>('engineStatus')).name).toBe('bravo');
    await onB.remove();
    await twinOnB.remove();
    stopSecondEngine(rootB);
    const down = await call<EngineStatus>('engineStatus');
    expect(down).toMatchObject({ ok: false, name: 'bravo', endpoint: engineB.endpoint });
    expect(down.message).toContain(`Cannot reach the Docker Engine at ${engineB.endpoint}`);
    const engines = await call<EngineCandidate[]>('listEngines');
    expect(engines.find((e) => e.name === 'bravo')).toMatchObject({ current: true, reachable: false });
    expect(engines.find((e) => e.name === 'alpha')).toMatchObject({ current: false, reachable: true });
    expect(await switchTo('alpha')).toMatchObject({ ok: true, name: 'alpha' });
    expect((await call<Snapshot[]>('listSnapshots', {})).length).toBe(1);
  });

  it('refuses an engine that is not among the candidates, naming the ones there are', async () => {
    const error = await refused('switchEngine', { name: 'charlie', endpoint: 'unix:///nowhere.sock' });
    expect(error.kind).toBe('NotFound');
    expect(error.message).toMatch(/No engine "charlie" .*Engines found now: .*"alpha"/);
  });
});

// A host without a holder (handlers made directly) lists engines but cannot switch.
it('refuses a switch on handlers made without a holder', async () => {
  const { createHandlers } = await import('./handlers');
  const dir = tempDir();
  const alone = createServices({
    dataDir: dir.path,
    docker: new Docker({ socketPath: path.join(dir.path, 'none.sock') }),
  });
  try {
    const result = await invokeCommand(createHandlers(alone), 'switchEngine', { name: 'x', endpoint: 'unix:///x' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'Unsupported' } });
  } finally {
    alone.close();
    dir.remove();
  }
});
