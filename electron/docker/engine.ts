import Docker from 'dockerode';
import { VolsnapError } from '../../shared/errors';

/** The endpoint dockerode will use: DOCKER_HOST, else the platform's default socket. */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  return process.platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

/** A dockerode client for the configured endpoint (TLS and ssh:// come from dockerode itself). */
export function connectEngine(): Docker {
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
export function engineError(error: unknown, what: string, endpoint = engineEndpoint()): VolsnapError {
  if (error instanceof VolsnapError) return error;
  const e = error as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  if (e.code && CONNECTION_CODES.has(e.code)) {
    const hint =
      e.code === 'EACCES' || e.code === 'EPERM'
        ? 'You have no permission on the socket: add yourself to the docker group or set DOCKER_HOST.'
        : 'Start Docker (Docker Desktop, or `sudo systemctl start docker`) or point DOCKER_HOST at a running engine.';
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
