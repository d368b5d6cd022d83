import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineCandidate } from './engine-candidates';
import { fakeEngineSocket, writeDockerContext } from '../../test/docker-config';
import { tempDir } from '../../test/engine';

// The usual breakages, through the built CLI: each says what happened and what to do.
// No real engine is needed: stand-in sockets answer (or refuse) like one.
const CLI = path.resolve('dist/cli.cjs');
const home = tempDir('volsnap-engine-errors-');
const dockerConfig = path.join(home.path, '.docker');
const closers: (() => Promise<void>)[] = [];

function cli(
  args: string[],
  options: { uid?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home.path,
    VOLSNAP_CONFIG_DIR: path.join(home.path, 'volsnap-config'),
    VOLSNAP_DATA_DIR: path.join(home.path, 'data'),
    VOLSNAP_TEST_DEFAULT_ENDPOINT: `unix://${home.path}/no-system-engine.sock`,
    XDG_RUNTIME_DIR: path.join(home.path, 'run'),
  };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_CONFIG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'pipe', uid: options.uid, gid: options.uid });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An engine from before API 1.41 (Docker 20.10): answers /_ping and /version only. */
async function oldEngine(socketPath: string): Promise<() => Promise<void>> {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': request.url?.endsWith('/_ping') ? 'text/plain' : 'application/json' });
    response.end(
      request.url?.endsWith('/_ping') ? 'OK' : JSON.stringify({ Version: '17.03.2-ce', ApiVersion: '1.27' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('clear errors for the usual engine breakages', () => {
  beforeAll(async () => {
    if (!existsSync(CLI)) execFileSync(process.execPath, ['scripts/build.mjs', 'node'], { stdio: 'ignore' });
    chmodSync(home.path, 0o755); // the permission test runs the CLI as nobody
    const locked = path.join(home.path, 'locked', 'docker.sock');
    closers.push((await fakeEngineSocket(locked)).close);
    chmodSync(locked, 0o000);
    writeDockerContext(dockerConfig, 'locked', `unix://${locked}`);
    closers.push(await oldEngine(path.join(home.path, 'old.sock')));
    writeDockerContext(dockerConfig, 'ancient', `unix://${home.path}/old.sock`);
  });

  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    home.remove();
  });

  it('names a missing context and lists the known ones', async () => {
    const run = await cli(['--json', '--context', 'nosuch', 'workloads']);
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('NotFound');
    expect(error.message).toContain('There is no Docker context "nosuch"');
    expect(error.message).toContain('Known contexts: default, ancient, locked');
  });

  it('says which group to join when the socket refuses us (permission denied)', async () => {
    // As root (CI), the CLI runs as nobody: root itself is never refused. Anyone else is refused anyway.
    const run = await cli(['--json', '--context', 'locked', 'engines'], {
      uid: process.getuid?.() === 0 ? 65534 : undefined,
    });
    expect(run.code, run.stderr).toBe(0);
    const locked = (JSON.parse(run.stdout) as EngineCandidate[]).find((e) => e.name === 'locked')!;
    expect(locked.reachable).toBe(false);
    expect(locked.current).toBe(true);
    expect(locked.error).toContain('(EACCES)');
    expect(locked.error).toMatch(/no permission on the socket .*locked\/docker\.sock \(group (\S+), mode 000\)/);
    expect(locked.error).toMatch(/sudo usermod -aG \S+ \$USER/);
  });

  it('names the API version an engine that is too old lacks', async () => {
    const run = await cli(['--json', 'engines']);
    const ancient = (JSON.parse(run.stdout) as EngineCandidate[]).find((e) => e.name === 'ancient')!;
    expect(ancient).toMatchObject({ reachable: false, version: '17.03.2-ce' });
    expect(ancient.error).toContain('speaks Docker API 1.27; Volsnap needs 1.41 or newer');
    const capture = await cli(['--json', '--context', 'ancient', 'capture', 'app']);
    expect(capture.code).toBe(1);
    const { error } = JSON.parse(capture.stderr) as { error: { kind: string; message: string } };
    expect(error).toEqual({ kind: 'Unsupported', message: ancient.error });
  });

  it('lets `config set engine` refuse a context that does not exist, and accept an endpoint URL', async () => {
    const bad = await cli(['config', 'set', 'engine', 'typo']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('There is no Docker context "typo"');
    const badUrl = await cli(['config', 'set', 'engine', 'ftp://x']);
    expect(badUrl.stderr).toContain('is not an engine endpoint');
    const good = await cli(['--json', 'config', 'set', 'engine', 'ancient']);
    expect(JSON.parse(good.stdout)).toEqual({ engine: 'ancient' });
    const got = await cli(['--json', 'config', 'get', 'engine']);
    expect(JSON.parse(got.stdout)).toEqual({ engine: 'ancient' });
  });
});
