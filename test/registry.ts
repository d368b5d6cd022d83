import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './engine';

/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) on a free 127.0.0.1
 * port with htpasswd auth, plus docker config directories written the way `docker login` writes them.
 * The Engine treats 127.0.0.0/8 registries as insecure-allowed, so it talks plain HTTP to it.
 */
export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry part of image references and the `auths` key. */
  host: string;
  username: string;
  password: string;
  /** A DOCKER_CONFIG directory with `auths[host].auth` = base64(user:pass), as `docker login` leaves it. */
  loginConfigDir: string;
  /** A DOCKER_CONFIG directory with no credentials at all. */
  emptyConfigDir: string;
  /** A DOCKER_CONFIG directory whose `credsStore` is the stand-in helper `volsnaptest`. */
  helperConfigDir: string;
  /** Prepend to PATH so `docker-credential-volsnaptest` is found. */
  helperBinDir: string;
  /** Server addresses the stand-in helper was asked for, in order (one line each). */
  helperCalls(): string[];
  stop(): Promise<void>;
}

/** Whether this machine has the registry and htpasswd (scripts/install-deps.sh installs both). */
export function registryAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v docker-registry && command -v htpasswd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts a registry with one user; stop() kills it and removes its storage. */
export async function startRegistry(): Promise<TestRegistry> {
  const dir = tempDir('volsnap-registry-');
  const username = 'volsnap';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const htpasswd = execFileSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' });
  writeFileSync(path.join(dir.path, 'htpasswd'), htpasswd);
  mkdirSync(path.join(dir.path, 'storage'));
  writeFileSync(path.join(dir.path, 'config.yml'), registryConfig(dir.path, host));
  const child = spawn('docker-registry', ['serve', path.join(dir.path, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  try {
    await waitUntilServing(host, child, () => log);
  } catch (error) {
    child.kill('SIGKILL');
    dir.remove();
    throw error;
  }
  const loginConfigDir = writeConfig(dir.path, 'login', {
    auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
  });
  const emptyConfigDir = writeConfig(dir.path, 'empty', { auths: {} });
  const helperConfigDir = writeConfig(dir.path, 'helper', { auths: { [host]: {} }, credsStore: 'volsnaptest' });
  const helperBinDir = path.join(dir.path, 'bin');
  const callLog = path.join(dir.path, 'helper-calls.log');
  writeHelper(helperBinDir, callLog, { host, username, password });
  return {
    host,
    username,
    password,
    loginConfigDir,
    emptyConfigDir,
    helperConfigDir,
    helperBinDir,
    helperCalls: () => readLines(callLog),
    stop: async () => {
      await stopChild(child);
      dir.remove();
    },
  };
}

function registryConfig(dir: string, host: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    'auth:',
    '  htpasswd:',
    '    realm: volsnap-test',
    `    path: ${path.join(dir, 'htpasswd')}`,
    '',
  ].join('\n');
}

function writeConfig(dir: string, name: string, config: object): string {
  const configDir = path.join(dir, `docker-config-${name}`);
  mkdirSync(configDir, { recursive: true });
  writeFileSync(path.join(configDir, 'config.json'), JSON.stringify(config, null, '\t'), { mode: 0o600 });
  return configDir;
}

/**
 * The `docker-credential-<name> get` protocol: the server address on stdin, a JSON
 * {ServerURL, Username, Secret} on stdout; an unknown server exits 1 with the store's message.
 */
function writeHelper(binDir: string, callLog: string, creds: { host: string; username: string; password: string }) {
  mkdirSync(binDir, { recursive: true });
  const script = `#!/bin/sh
[ "$1" = get ] || { echo "unsupported action $1" >&2; exit 1; }
read -r server
printf '%s\\n' "$server" >> '${callLog}'
if [ "$server" = '${creds.host}' ]; then
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' '${creds.host}' '${creds.username}' '${creds.password}'
else
  echo "credentials not found in native keychain"
  exit 1
fi
`;
  const file = path.join(binDir, 'docker-credential-volsnaptest');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls GET /v2/ until the registry answers (401: it asks for the credentials, as it should). */
async function waitUntilServing(host: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${log()}`);
    const status = await fetch(`http://${host}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401) return;
    if (status !== 0) throw new Error(`registry at ${host} answered ${status} without asking for credentials`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not start on ${host}: ${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
