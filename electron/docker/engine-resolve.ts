import { readFileSync } from 'node:fs';
import https from 'node:https';
import Docker from 'dockerode';
import {
  DEFAULT_CONTEXT,
  currentContextName,
  dockerConfigDir,
  readContext,
  type DockerContext,
} from './docker-contexts';
import { knownSockets, platformDefaultEndpoint, probeSocket, type ProbeResult } from './socket-probe';
import type { EngineCandidate } from '../../shared/contract';
import { VolsnapError } from '../../shared/errors';

/** Where the engine choice came from, in the words `volsnap engines` prints (shared/contract.ts lists them). */
export type EngineSource = EngineCandidate['source'];

/** One engine Volsnap can talk to: how it was found and how to reach it. */
export interface EngineTarget {
  /** A context name, `DOCKER_HOST`, `default`, or the desktop product a probed socket belongs to. */
  name: string;
  /** `unix://…`, `npipe://…`, `tcp://…`, `ssh://…`. */
  endpoint: string;
  source: EngineSource;
  skipTLSVerify: boolean;
  /** TLS files of a context (paths). */
  tls: DockerContext['tls'];
  /** DOCKER_HOST: dockerode reads it, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH from the environment itself. */
  fromEnv: boolean;
}

export interface ResolveInput {
  /** The global `--context NAME` option. */
  context?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The `engine` setting of the user's config file (a context name or an endpoint URL). */
  setting?: string | null;
  probe?: (endpoint: string) => Promise<ProbeResult>;
}

/**
 * The engine the docker CLI would use, then the desktop sockets it would not know about:
 * --context → DOCKER_HOST → DOCKER_CONTEXT → the `engine` setting → currentContext → the platform
 * socket (if it answers) → known per-user sockets (the first that answers) → the platform socket.
 */
export async function resolveEngine(input: ResolveInput = {}): Promise<EngineTarget> {
  const named = namedEngine(input);
  if (named) return named;
  return (await probedEngine(input)) ?? defaultEngine(input.platform);
}

/** The engine something names explicitly (flag, env, setting, current context), without probing. */
export function namedEngine(input: ResolveInput): EngineTarget | undefined {
  const env = input.env ?? process.env;
  const configDir = dockerConfigDir(env);
  if (input.context) return fromContext(configDir, input.context, 'flag', env);
  if (env.DOCKER_HOST) return envHost(env.DOCKER_HOST);
  if (env.DOCKER_CONTEXT) return fromContext(configDir, env.DOCKER_CONTEXT, 'env', env);
  if (input.setting) return fromSetting(configDir, input.setting, env);
  const current = currentContextName(configDir);
  if (current) return fromContext(configDir, current, 'context', env);
  return undefined;
}

/** The platform socket if it answers, else the first known per-user socket that answers. */
async function probedEngine(input: ResolveInput): Promise<EngineTarget | undefined> {
  const probe = input.probe ?? probeSocket;
  const platformDefault = defaultEngine(input.platform);
  if ((await probe(platformDefault.endpoint)).ok) return platformDefault;
  for (const socket of knownSockets(input.env ?? process.env, input.platform)) {
    if ((await probe(socket.endpoint)).ok) return target(socket.name, socket.endpoint, 'probe');
  }
  return undefined;
}

export function defaultEngine(platform = process.platform): EngineTarget {
  return target(DEFAULT_CONTEXT, platformDefaultEndpoint(platform), 'default');
}

function target(name: string, endpoint: string, source: EngineSource, extra: Partial<EngineTarget> = {}): EngineTarget {
  return { name, endpoint, source, skipTLSVerify: false, tls: {}, fromEnv: false, ...extra };
}

function envHost(host: string): EngineTarget {
  return target('DOCKER_HOST', host, 'env', { fromEnv: true });
}

/** A context by name; `default` is the docker CLI's built-in one (DOCKER_HOST or the platform socket). */
function fromContext(configDir: string, name: string, source: EngineSource, env: NodeJS.ProcessEnv): EngineTarget {
  if (name === DEFAULT_CONTEXT) {
    return env.DOCKER_HOST ? envHost(env.DOCKER_HOST) : target(DEFAULT_CONTEXT, platformDefaultEndpoint(), source);
  }
  const context = readContext(configDir, name);
  return target(context.name, context.host, source, { skipTLSVerify: context.skipTLSVerify, tls: context.tls });
}

function fromSetting(configDir: string, setting: string, env: NodeJS.ProcessEnv): EngineTarget {
  if (isEndpointUrl(setting)) return target(setting, setting, 'setting');
  return fromContext(configDir, setting, 'setting', env);
}

const SCHEMES = ['unix://', 'npipe://', 'tcp://', 'ssh://', 'http://', 'https://'];

/** An endpoint URL rather than a context name (context names cannot contain `:`). */
export function isEndpointUrl(value: string): boolean {
  return value.includes('://');
}

/** Checks an endpoint URL written by a person; `InvalidInput` saying what is accepted. */
export function checkEndpointUrl(value: string): void {
  if (!SCHEMES.some((s) => value.startsWith(s)) || value.length <= value.indexOf('://') + 3) {
    throw new VolsnapError(
      'InvalidInput',
      `"${value}" is not an engine endpoint. Use unix:///path/docker.sock, tcp://host:port, ssh://user@host or npipe:////./pipe/name, or a Docker context name.`,
    );
  }
}

/** A dockerode client for the target; every connection option is set, so DOCKER_HOST cannot leak in. */
export function dockerFor(engine: EngineTarget, extra: Docker.DockerOptions = {}): Docker {
  if (engine.fromEnv) return new Docker(extra);
  const cleared: Docker.DockerOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
  };
  return new Docker({ ...cleared, ...connectionOptions(engine), ...extra });
}

function connectionOptions(engine: EngineTarget): Docker.DockerOptions {
  const { endpoint } = engine;
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  if (endpoint.startsWith('npipe://')) return { socketPath: endpoint.slice('npipe://'.length).replace(/\\/g, '/') };
  const url = new URL(endpoint.startsWith('tcp://') ? `http://${endpoint.slice('tcp://'.length)}` : endpoint);
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || 22,
      username: decodeURIComponent(url.username) || undefined,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    };
  }
  const secure = url.protocol === 'https:' || engine.skipTLSVerify || Object.keys(engine.tls).length > 0;
  const options: Docker.DockerOptions = {
    protocol: secure ? 'https' : 'http',
    host: url.hostname,
    port: url.port || (secure ? 2376 : 2375),
  };
  if (!secure) return options;
  options.ca = readTls(engine, 'ca');
  options.cert = readTls(engine, 'cert');
  options.key = readTls(engine, 'key');
  // SkipTLSVerify: the docker CLI still sends the client certificate but accepts any server certificate.
  if (engine.skipTLSVerify) (options as { agent?: https.Agent }).agent = new https.Agent({ rejectUnauthorized: false });
  return options;
}

function readTls(engine: EngineTarget, kind: 'ca' | 'cert' | 'key'): Buffer | undefined {
  const file = engine.tls[kind];
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw new VolsnapError(
      'InvalidInput',
      `Cannot read the TLS ${kind} file ${file} of Docker context "${engine.name}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Fix its permissions or recreate the context.`,
    );
  }
}
