import { readFileSync, statSync } from 'node:fs';
import Docker from 'dockerode';
import { dockerFor, type EngineTarget } from './engine-resolve';
import { socketPathOf } from './socket-probe';
import { VolsnapError } from '../../shared/errors';

/**
 * The Engine client as the rest of the app sees it: services and hosts take one through their
 * constructors and hand it to this folder's functions, and import this type, never dockerode's.
 */
export type EngineClient = Docker;
// eslint-disable-next-line @typescript-eslint/no-namespace -- the client's handle types, under its name
export declare namespace EngineClient {
  /** A container handle (a helper) made by createHelper and used by the archivers and stagers. */
  export type Container = Docker.Container;
}

/** The engine this process connected to through `connectEngine(target)`; messages name its endpoint. */
let current: EngineTarget | undefined;

/** The endpoint in use: the resolved engine's, else DOCKER_HOST, else the platform's default socket. */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  if (current) return current.endpoint;
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  return process.platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

/** The resolved engine this process uses, if `connectEngine` was given one. */
export function currentEngine(): EngineTarget | undefined {
  return current;
}

/**
 * A dockerode client for the resolved engine (see engine-resolve.ts). Without a target: DOCKER_HOST,
 * else the platform's default socket (what callers that never resolve, like tests, expect).
 */
export function connectEngine(target?: EngineTarget): Docker {
  if (target) {
    current = target;
    return dockerFor(target);
  }
  // With DOCKER_HOST set, dockerode reads it (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) from process.env.
  return process.env.DOCKER_HOST ? new Docker() : new Docker({ socketPath: defaultSocket() });
}

function defaultSocket(): string {
  return process.platform === 'win32' ? '//./pipe/docker_engine' : '/var/run/docker.sock';
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * Turns a failure from dockerode into one of our error kinds, with a message that says what to do.
 * `what` names the operation ("list containers", "read volume pgdata").
 */
export function engineError(
  error: unknown,
  what: string,
  endpoint = engineEndpoint(),
  tls: EngineTarget['tls'] | undefined = current?.tls,
): VolsnapError {
  if (error instanceof VolsnapError) return error;
  const e = error as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  const tlsFailure = tlsError(e, endpoint, tls ?? {});
  if (tlsFailure) return tlsFailure;
  if (e.code && CONNECTION_CODES.has(e.code)) {
    const hint =
      e.code === 'EACCES' || e.code === 'EPERM'
        ? permissionHint(endpoint)
        : 'Start Docker (Docker Desktop, or `sudo systemctl start docker`), or choose a running engine: volsnap engines lists them, volsnap config set engine <name> picks one.';
    return new VolsnapError('EngineUnavailable', `Cannot reach the Docker Engine at ${endpoint} (${e.code}). ${hint}`);
  }
  const detail = e.json?.message ?? e.message ?? String(error);
  switch (e.statusCode) {
    case 404:
      return new VolsnapError('NotFound', `Docker could not ${what}: ${detail}`);
    case 409:
      return new VolsnapError('Conflict', `Docker could not ${what}: ${detail}`);
    case 400:
      return new VolsnapError('InvalidInput', `Docker could not ${what}: ${detail}`);
    default:
      return new VolsnapError('Internal', `Docker could not ${what}: ${detail}`);
  }
}

/** Runs one Engine call, mapping its failure through `engineError`. */
export async function engineCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw engineError(error, what);
  }
}

/** Says which group owns a socket we may not open, since joining it is the usual fix. */
function permissionHint(endpoint: string): string {
  const other = 'or choose another engine: volsnap engines lists them, volsnap config set engine <name> picks one.';
  const socket = socketPathOf(endpoint);
  let group: string | undefined;
  let mode = '';
  try {
    const stat = statSync(socket ?? '');
    group = groupName(stat.gid);
    mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
  } catch {
    return `You have no permission on the socket: add yourself to the group that owns it (usually docker), ${other}`;
  }
  return `You have no permission on the socket ${socket} (group ${group}, mode ${mode}): add yourself to the ${group} group (sudo usermod -aG ${group} $USER, then log in again) or make the socket group-readable, ${other}`;
}

function groupName(gid: number): string {
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    return line?.split(':')[0] ?? String(gid);
  } catch {
    return String(gid);
  }
}

const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/** A TLS failure named by the file and the check that failed; null for anything else. */
function tlsError(
  e: { code?: string; message?: string },
  endpoint: string,
  tls: EngineTarget['tls'],
): VolsnapError | null {
  const code = e.code ?? '';
  const at = `The TLS connection to the Docker Engine at ${endpoint} failed (${code})`;
  if (CERT_CODES.has(code)) {
    const ca = tls.ca ? `the CA in ${tls.ca}` : 'the system CAs (the Docker context has no ca.pem)';
    return new VolsnapError(
      'EngineUnavailable',
      `${at}: the engine's certificate is not signed by ${ca}. Put the CA that signed the engine's certificate there (docker context update --docker "ca=…").`,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new VolsnapError(
      'EngineUnavailable',
      `${at}: the engine's certificate is outside its validity dates. Renew it.`,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new VolsnapError(
      'EngineUnavailable',
      `${at}: the engine's certificate does not name the host in ${endpoint} (${e.message ?? ''}). Reach it by a name the certificate lists, or reissue the certificate.`,
    );
  }
  const handshake = code === 'EPROTO' || /alert|handshake|certificate required/i.test(code ? (e.message ?? '') : '');
  // A reset right after connecting is how a TLS engine drops a client without a certificate.
  const resetWithoutCert = (code === 'ECONNRESET' || code === 'EPIPE') && tls.ca !== undefined && !tls.cert;
  if (handshake || resetWithoutCert) {
    const cert = tls.cert
      ? `the client certificate ${tls.cert} (key ${tls.key ?? 'missing'})`
      : 'a client certificate, and the Docker context has no cert.pem/key.pem';
    return new VolsnapError(
      'EngineUnavailable',
      `${at}: the engine did not accept ${cert}. Use a certificate signed by the CA the engine trusts (--tlscacert).`,
    );
  }
  return null;
}

/** The Engine's version string (null when it does not say); rejects when the Engine is unreachable. */
export async function engineVersion(docker: Docker): Promise<string | null> {
  const version = (await docker.version()) as { Version?: string };
  return version.Version ?? null;
}
