import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineCandidate } from './engine-candidates';
import { writeDockerContext } from '../../test/docker-config';
import { describeEngine, tempDir } from '../../test/engine';

// A dockerd of its own on 127.0.0.1 with --tlsverify and certificates made here with openssl,
// reached only through a docker context that carries the TLS material (ca, cert, key).
const root = '/tmp/volsnap-engine-tls';
const CLI = path.resolve('dist/cli.cjs');
const home = tempDir('volsnap-tls-home-');
const dockerConfig = path.join(home.path, '.docker');
const certs = path.join(root, 'certs');
let port = 0;
let daemon: ChildProcess | undefined;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate; and a second, unrelated CA. */
function makeCertificates(): void {
  mkdirSync(certs, { recursive: true });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=volsnap test CA',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=other CA',
    '-keyout',
    'other-key.pem',
    '-out',
    'other.pem',
  );
  writeFileSync(path.join(certs, 'server.ext'), 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n');
  writeFileSync(path.join(certs, 'client.ext'), 'extendedKeyUsage = clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${who}`,
      '-keyout',
      `${who}-key.pem`,
      '-out',
      `${who}.csr`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${who}.ext`,
      '-out',
      `${who}.pem`,
    );
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home.path,
    VOLSNAP_CONFIG_DIR: path.join(home.path, 'volsnap-config'),
    VOLSNAP_DATA_DIR: path.join(home.path, 'data'),
    VOLSNAP_TEST_DEFAULT_ENDPOINT: `unix://${home.path}/no-system-engine.sock`,
    XDG_RUNTIME_DIR: path.join(home.path, 'run'),
  };
  delete env.DOCKER_HOST;
  delete env.DOCKER_TLS_VERIFY;
  delete env.DOCKER_CERT_PATH;
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

async function startTlsEngine(): Promise<void> {
  port = await freePort();
  mkdirSync(path.join(root, 'data'), { recursive: true });
  const log = openSync(path.join(root, 'dockerd.log'), 'w');
  const c = (name: string) => path.join(certs, name);
  // dockerd needs root: as a user (npm test with sudo, like scripts/test-engine.sh), through sudo,
  // which passes our SIGTERM on to it.
  const asRoot = process.getuid?.() === 0 ? [] : ['-n', 'dockerd'];
  daemon = spawn(
    asRoot.length > 0 ? 'sudo' : 'dockerd',
    [
      ...asRoot,
      ...['--data-root', path.join(root, 'data'), '--exec-root', path.join(root, 'exec')],
      ...['--pidfile', path.join(root, 'docker.pid'), '-H', `tcp://127.0.0.1:${port}`],
      ...['--tlsverify', '--tlscacert', c('ca.pem'), '--tlscert', c('server.pem'), '--tlskey', c('server-key.pem')],
      ...['--bridge=none', '--iptables=false', '--ip6tables=false'],
    ],
    { stdio: ['ignore', log, log], detached: true },
  );
  daemon.unref();
  for (let i = 0; i < 120; i++) {
    const ready = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ready) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `the TLS dockerd did not start: ${readFileSync(path.join(root, 'dockerd.log'), 'utf8').slice(-2000)}`,
  );
}

/** Stops the dockerd this file started (waiting for its exit, so its mounts are gone) and removes its root. */
async function stopTlsEngine(): Promise<void> {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    const exited = new Promise((resolve) => daemon!.once('exit', resolve));
    daemon.kill('SIGTERM');
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
}

describeEngine('a TLS engine reached through a docker context', () => {
  beforeAll(async () => {
    if (!existsSync(CLI)) execFileSync(process.execPath, ['scripts/build.mjs', 'node'], { stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
    makeCertificates();
    await startTlsEngine();
    const pem = (name: string) => readFileSync(path.join(certs, name), 'utf8');
    const host = `tcp://127.0.0.1:${port}`;
    writeDockerContext(dockerConfig, 'secure', host, {
      tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') },
    });
    writeDockerContext(dockerConfig, 'wrong-ca', host, {
      tls: { ca: pem('other.pem'), cert: pem('client.pem'), key: pem('client-key.pem') },
    });
    writeDockerContext(dockerConfig, 'no-client-cert', host, { tls: { ca: pem('ca.pem') } });
    writeDockerContext(dockerConfig, 'skip-verify', host, {
      skipTLSVerify: true,
      tls: { ca: pem('other.pem'), cert: pem('client.pem'), key: pem('client-key.pem') },
    });
  }, 120_000);

  afterAll(async () => {
    await stopTlsEngine();
    home.remove();
  }, 60_000);

  it('connects with the context TLS material and lists the engine', async () => {
    const workloads = await cli(['--json', '--context', 'secure', 'workloads']);
    expect(workloads.code, workloads.stderr).toBe(0);
    expect(JSON.parse(workloads.stdout)).toEqual([]);
    const engines = JSON.parse((await cli(['--json', '--context', 'secure', 'engines'])).stdout) as EngineCandidate[];
    expect(engines.find((e) => e.name === 'secure')).toMatchObject({
      current: true,
      reachable: true,
      endpoint: `tcp://127.0.0.1:${port}`,
      error: null,
    });
  });

  it("honours SkipTLSVerify: the client certificate is still sent, the engine's is not checked", async () => {
    const run = await cli(['--json', '--context', 'skip-verify', 'workloads']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it('says which CA file failed the server check', async () => {
    const run = await cli(['--json', '--context', 'wrong-ca', 'workloads']);
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('EngineUnavailable');
    expect(error.message).toMatch(
      /engine's certificate is not signed by the CA in .*contexts\/tls\/[0-9a-f]{64}\/docker\/ca\.pem/,
    );
  });

  it('says the engine wants a client certificate the context does not have', async () => {
    const run = await cli(['--json', '--context', 'no-client-cert', 'workloads']);
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('EngineUnavailable');
    expect(error.message).toContain('the Docker context has no cert.pem/key.pem');
  });
});
