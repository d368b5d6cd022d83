import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveEngine, type ResolveInput } from './engine-resolve';
import { probeSocket } from './socket-probe';
import { configFilePath, writeEngineSetting } from '../services/data-dir-pointer';
import { resolveConfiguredEngine } from '../services/engine-choice';
import { fakeEngineSocket, useDockerContext, writeDockerContext } from '../../test/docker-config';
import { tempDir } from '../../test/engine';
import { VolsnapError } from '../../shared/errors';

// Resolution with a temporary HOME holding docker contexts written the way the docker CLI writes them.
// The platform socket (/var/run/docker.sock) is never asked: it may be a real engine on this machine.

let home: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
const closers: (() => Promise<void>)[] = [];

beforeEach(() => {
  home = tempDir('volsnap-resolve-');
  env = {
    HOME: home.path,
    XDG_RUNTIME_DIR: path.join(home.path, 'run'),
    VOLSNAP_CONFIG_DIR: path.join(home.path, 'vs'),
  };
  const docker = path.join(home.path, '.docker');
  for (const name of ['alpha', 'beta', 'gamma', 'delta']) writeDockerContext(docker, name, `unix:///tmp/${name}.sock`);
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  home.remove();
});

/** The real probe, except for the platform socket, which stands for "no system engine". */
const probe: ResolveInput['probe'] = (endpoint) =>
  endpoint === 'unix:///var/run/docker.sock' ? Promise.resolve({ ok: false, error: 'ENOENT' }) : probeSocket(endpoint);

const resolve = (input: ResolveInput = {}) => resolveEngine({ env, probe, platform: 'linux', ...input });
const chosen = async (input: ResolveInput = {}) => {
  const engine = await resolve(input);
  return `${engine.source}:${engine.name}:${engine.endpoint}`;
};

describe('engine resolution order', () => {
  it('follows currentContext, then the setting, DOCKER_CONTEXT, DOCKER_HOST and --context, each above the last', async () => {
    useDockerContext(path.join(home.path, '.docker'), 'alpha');
    expect(await chosen()).toBe('context:alpha:unix:///tmp/alpha.sock');
    expect(await chosen({ setting: 'beta' })).toBe('setting:beta:unix:///tmp/beta.sock');
    env.DOCKER_CONTEXT = 'gamma';
    expect(await chosen({ setting: 'beta' })).toBe('env:gamma:unix:///tmp/gamma.sock');
    env.DOCKER_HOST = 'unix:///tmp/from-env.sock';
    expect(await chosen({ setting: 'beta' })).toBe('env:DOCKER_HOST:unix:///tmp/from-env.sock');
    expect(await chosen({ setting: 'beta', context: 'delta' })).toBe('flag:delta:unix:///tmp/delta.sock');
  });

  it('reads DOCKER_CONFIG instead of ~/.docker when it is set', async () => {
    const other = path.join(home.path, 'elsewhere');
    writeDockerContext(other, 'remote', 'tcp://127.0.0.1:1');
    useDockerContext(other, 'remote');
    env.DOCKER_CONFIG = other;
    expect(await chosen()).toBe('context:remote:tcp://127.0.0.1:1');
  });

  it('takes the setting from the user config file, as a context name or an endpoint URL', async () => {
    writeEngineSetting(configFilePath(env), 'beta');
    expect((await resolveConfiguredEngine(undefined, env)).name).toBe('beta');
    writeEngineSetting(configFilePath(env), 'tcp://127.0.0.1:2375');
    const engine = await resolveConfiguredEngine(undefined, env);
    expect([engine.source, engine.endpoint]).toEqual(['setting', 'tcp://127.0.0.1:2375']);
  });

  it('treats the context named "default" as DOCKER_HOST or the platform socket', async () => {
    useDockerContext(path.join(home.path, '.docker'), 'alpha');
    expect(await chosen({ context: 'default' })).toBe('flag:default:unix:///var/run/docker.sock');
  });

  it('names the missing context and lists the known ones', async () => {
    const error = await resolve({ context: 'nosuch' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VolsnapError);
    expect((error as VolsnapError).kind).toBe('NotFound');
    expect((error as VolsnapError).message).toContain('no Docker context "nosuch"');
    expect((error as VolsnapError).message).toContain('Known contexts: default, alpha, beta, delta, gamma');
  });

  it('reports a currentContext that no longer exists instead of silently using another engine', async () => {
    useDockerContext(path.join(home.path, '.docker'), 'removed');
    await expect(resolve()).rejects.toThrow(/no Docker context "removed"/);
  });
});

describe('socket probing when nothing names an engine', () => {
  it('picks the first known socket that answers /_ping, in the fixed order', async () => {
    // A stale Docker Desktop socket file (nothing listens), then Colima and OrbStack both answering.
    mkdirSync(path.join(home.path, '.docker', 'run'), { recursive: true });
    writeFileSync(path.join(home.path, '.docker', 'run', 'docker.sock'), '');
    closers.push((await fakeEngineSocket(path.join(home.path, '.orbstack', 'run', 'docker.sock'))).close);
    closers.push((await fakeEngineSocket(path.join(home.path, '.colima', 'default', 'docker.sock'))).close);
    expect(await chosen()).toBe(`probe:colima:unix://${home.path}/.colima/default/docker.sock`);
  });

  it('skips a socket that answers with an error and finds rootless Docker and Podman sockets', async () => {
    closers.push((await fakeEngineSocket(path.join(home.path, '.rd', 'docker.sock'), 500)).close);
    closers.push((await fakeEngineSocket(path.join(home.path, 'run', 'podman', 'podman.sock'))).close);
    expect(await chosen()).toBe(`probe:podman:unix://${home.path}/run/podman/podman.sock`);
    closers.push((await fakeEngineSocket(path.join(home.path, 'run', 'docker.sock'))).close);
    expect(await chosen()).toBe(`probe:rootless:unix://${home.path}/run/docker.sock`);
  });

  it('falls back to the platform socket when nothing answers, so errors name the usual place', async () => {
    expect(await chosen()).toBe('default:default:unix:///var/run/docker.sock');
    expect(await chosen({ platform: 'win32' })).toBe('default:default:npipe:////./pipe/docker_engine');
  });
});
