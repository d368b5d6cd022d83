import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/engine';

// Engine-free: `--version`, `list` of an empty store and `serve` need no Docker Engine. The engine is
// pointed at a socket that does not exist, so a command that reached for it would fail here.
const BIN = 'bin/volsnap.cjs';
const NO_ENGINE = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/volsnap-test.sock' };
/** The packages the CLI bundle loads on first use only (scripts/lazy-externals.mjs). */
const HEAVY = ['dockerode', 'zod', 'tar', 'zstd-napi', 'diff', 'ws'];
/** What dockerode loads at its start for paths taken only with BuildKit sessions or ssh:// engines. */
const DEFERRED = ['@grpc/grpc-js', '@grpc/proto-loader', 'ssh2'];

describe('volsnap start-up', () => {
  const dir = tempDir();
  const hook = path.join(dir.path, 'record-requires.cjs');

  beforeAll(() => {
    if (!existsSync('dist/cli.cjs')) spawnSync('node', ['scripts/build.mjs', 'node'], { stdio: 'inherit' });
    // Records every package the process requires, written at exit to the file named by the env.
    writeFileSync(
      hook,
      `const Module = require('node:module'); const seen = new Set(); const load = Module._load;
       Module._load = function (request, ...rest) { seen.add(request); return load.call(this, request, ...rest); };
       process.on('exit', () => require('node:fs').writeFileSync(process.env.REQUIRES_OUT, JSON.stringify([...seen])));`,
    );
  });
  afterAll(() => dir.remove());

  function run(args: string[], env: NodeJS.ProcessEnv = NO_ENGINE) {
    const out = path.join(dir.path, `requires-${Math.random().toString(16).slice(2)}.json`);
    const r = spawnSync('node', ['-r', hook, BIN, ...args], { encoding: 'utf8', env: { ...env, REQUIRES_OUT: out } });
    const loaded = JSON.parse(readFileSync(out, 'utf8')) as string[];
    const deferred = DEFERRED.filter((p) => loaded.includes(p));
    return {
      code: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      heavy: HEAVY.filter((p) => loaded.includes(p)),
      deferred,
    };
  }

  it('prints the package version, and loads none of the heavy packages for it', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const plain = run(['--version']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(`volsnap ${version}\n`);
    expect(plain.heavy).toEqual([]);
    const json = run(['--json', '--version']);
    expect(JSON.parse(json.stdout)).toEqual({ version });
  });

  it('lists an empty store without loading dockerode, zod, tar, zstd-napi, diff or ws', () => {
    const store = tempDir();
    try {
      const r = run(['--data-dir', store.path, '--json', 'list']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
      expect(r.heavy).toEqual([]);
    } finally {
      store.remove();
    }
  });

  it('still loads a deferred package when a command uses it (config set validates with zod)', () => {
    const store = tempDir();
    try {
      const bad = run(['--data-dir', store.path, 'config', 'set', 'keepLast', '0']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/Invalid value for keepLast/);
      expect(bad.heavy).toContain('zod');
      const ok = run(['--data-dir', store.path, '--json', 'config', 'set', 'keepLast', '5']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual({ keepLast: 5 });
    } finally {
      store.remove();
    }
  });

  it("talks to the engine without loading dockerode's gRPC and ssh packages, which it needs only for other engines", () => {
    const r = run(['--json', 'workloads']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EngineUnavailable');
    expect(r.heavy).toContain('dockerode');
    expect(r.deferred).toEqual([]);
  });

  it('still loads ssh2 for an ssh:// engine, and reports that engine as before', () => {
    // Port 1 of this machine: refused at once, by the ssh client's connection.
    const r = run(['--json', 'workloads'], {
      ...process.env,
      DOCKER_HOST: 'ssh://nobody@127.0.0.1:1',
      // Node's own warning about docker-modem's URL handling, not ours to test.
      NODE_NO_WARNINGS: '1',
    });
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('EngineUnavailable');
    expect(error.message).toContain('ssh://nobody@127.0.0.1:1 (ECONNREFUSED)');
    expect(r.deferred).toEqual(['ssh2']);
  });

  it('serve --json prints exactly one JSON document, the URL, and nothing more when stopped', async () => {
    const store = tempDir();
    try {
      const child = spawn('node', [BIN, '--data-dir', store.path, '--json', 'serve', '--port', '0'], {
        env: NO_ENGINE,
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes('\n')) resolve();
        });
        void exited.then((code) => reject(new Error(`serve exited ${code} before printing its URL: ${stderr}`)));
      });
      const announced = JSON.parse(stdout) as { url: string; port: number; token: string };
      expect(announced.url).toContain(`:${announced.port}/`);
      expect(announced.url).toContain(announced.token);
      const page = await fetch(announced.url);
      expect(page.status).toBe(200);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      // The whole of stdout parses as one document: the URL line, nothing after the stop.
      expect(JSON.parse(stdout)).toEqual(announced);
      expect(stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      store.remove();
    }
  });
});
