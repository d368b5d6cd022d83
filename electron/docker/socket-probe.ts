import { readdirSync } from 'node:fs';
import http from 'node:http';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';

/** A socket some desktop engine opens for its user, tried when nothing names an engine. */
export interface KnownSocket {
  /** What the socket belongs to ("docker-desktop", "colima-default", "podman", …). */
  name: string;
  /** `unix:///…` or `npipe:////./pipe/…`. */
  endpoint: string;
}

/**
 * The socket (or pipe) a system-wide engine listens on, the docker CLI's own default.
 * VOLSNAP_TEST_DEFAULT_ENDPOINT (tests only) moves it, so tests never ask the machine's own engine.
 */
export function platformDefaultEndpoint(platform = process.platform): string {
  if (process.env.VOLSNAP_TEST_DEFAULT_ENDPOINT) return process.env.VOLSNAP_TEST_DEFAULT_ENDPOINT;
  return platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

/**
 * Per-user sockets, in the fixed order they are probed: Docker Desktop, Colima (the `default`
 * profile first), OrbStack, Rancher Desktop, rootless Docker, Podman (Linux, then the macOS machine),
 * then Docker Desktop's Linux-engine pipe on Windows.
 */
export function knownSockets(env: NodeJS.ProcessEnv = process.env, platform = process.platform): KnownSocket[] {
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'win32') {
    return [{ name: 'docker-desktop-linux', endpoint: 'npipe:////./pipe/dockerDesktopLinuxEngine' }];
  }
  const runtime = env.XDG_RUNTIME_DIR || (platform === 'linux' ? `/run/user/${uid()}` : undefined);
  const xdgConfig = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const unix = (name: string, file: string): KnownSocket => ({ name, endpoint: `unix://${file}` });
  const sockets = [
    unix('docker-desktop', path.join(home, '.docker', 'run', 'docker.sock')),
    unix('docker-desktop', path.join(home, '.docker', 'desktop', 'docker.sock')),
    ...colimaSockets(path.join(home, '.colima')),
    ...colimaSockets(path.join(xdgConfig, 'colima')),
    unix('orbstack', path.join(home, '.orbstack', 'run', 'docker.sock')),
    unix('rancher-desktop', path.join(home, '.rd', 'docker.sock')),
  ];
  if (runtime) {
    sockets.push(unix('rootless', path.join(runtime, 'docker.sock')));
    sockets.push(unix('podman', path.join(runtime, 'podman', 'podman.sock')));
  }
  const machines = path.join(home, '.local', 'share', 'containers', 'podman', 'machine');
  sockets.push(unix('podman-machine', path.join(machines, 'podman-machine-default', 'podman.sock')));
  sockets.push(unix('podman-machine', path.join(machines, 'podman.sock')));
  return sockets;
}

/** `<root>/<profile>/docker.sock` for each Colima profile, `default` first, then by name. */
function colimaSockets(root: string): KnownSocket[] {
  let profiles: string[];
  try {
    profiles = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
      .map((d) => d.name);
  } catch {
    return [];
  }
  profiles.sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  return profiles.map((p) => ({
    name: p === 'default' ? 'colima' : `colima-${p}`,
    endpoint: `unix://${path.join(root, p, 'docker.sock')}`,
  }));
}

function uid(): number {
  try {
    return userInfo().uid;
  } catch {
    return 0;
  }
}

/** The result of asking a socket `GET /_ping`: ok, or the reason (an errno code or an HTTP status). */
export type ProbeResult = { ok: true } | { ok: false; error: string };

/** Asks a unix socket or named pipe whether an engine answers `/_ping`; never throws. */
export function probeSocket(endpoint: string, timeoutMs = 2000): Promise<ProbeResult> {
  const socketPath = socketPathOf(endpoint);
  if (socketPath === undefined) return Promise.resolve({ ok: false, error: 'not a local socket' });
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? { ok: true } : { ok: false, error: `HTTP ${response.statusCode}` });
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, error: error.code ?? error.message }));
  });
}

/** `unix:///x` → `/x`, `npipe:////./pipe/x` → `//./pipe/x`; undefined for tcp/ssh. */
export function socketPathOf(endpoint: string): string | undefined {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length);
  if (endpoint.startsWith('npipe://')) return endpoint.slice('npipe://'.length).replace(/\\/g, '/');
  return undefined;
}
