import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type Docker from 'dockerode';
import { DEFAULT_CONTEXT, dockerConfigDir, listContexts, readContext } from './docker-contexts';
import { engineError } from './engine';
import { engineIdOf, type EngineInfo } from './engine-identity';
import {
  checkEndpointUrl,
  defaultEngine,
  dockerFor,
  isEndpointUrl,
  resolveEngine,
  type EngineSource,
  type EngineTarget,
  type ResolveInput,
} from './engine-resolve';
import { knownSockets, socketPathOf } from './socket-probe';
import type { EngineCandidate } from '../../shared/contract';
import { VolsnapError } from '../../shared/errors';

/** One row of `volsnap engines` (and of the app's engine picker: the contract defines it). */
export type { EngineCandidate };

/** The oldest Engine API Volsnap is written against (Docker 20.10). */
export const MIN_API_VERSION = '1.41';

/**
 * Every engine the user could mean: what the flag, the environment and the setting name, every
 * stored context, the platform socket and the desktop sockets that exist; each asked for its version
 * and id. The one resolution picks is `current`.
 */
export async function listEngineCandidates(input: ResolveInput = {}): Promise<EngineCandidate[]> {
  const env = input.env ?? process.env;
  const rows: (EngineTarget | { name: string; source: EngineSource; error: string })[] = [];
  const named = (name: string | undefined, source: EngineSource) => {
    if (!name) return;
    try {
      rows.push(isEndpointUrl(name) ? endpointTarget(name, source) : contextTarget(env, name, source));
    } catch (error) {
      rows.push({ name, source, error: (error as Error).message });
    }
  };
  named(input.context, 'flag');
  if (env.DOCKER_HOST)
    rows.push({
      ...defaultEngine(input.platform),
      name: 'DOCKER_HOST',
      endpoint: env.DOCKER_HOST,
      source: 'env',
      fromEnv: true,
    });
  named(env.DOCKER_CONTEXT, 'env');
  named(input.setting ?? undefined, 'setting');
  for (const context of listContexts(dockerConfigDir(env))) named(context.name, 'context');
  rows.push(defaultEngine(input.platform));
  for (const socket of knownSockets(env, input.platform)) {
    const file = socketPathOf(socket.endpoint);
    if (file && existsSync(file)) rows.push({ ...defaultEngine(input.platform), ...socket, source: 'probe' });
  }
  const current = await resolveEngine(input).catch(() => undefined);
  const seen = new Set<string>();
  const unique = rows.filter((row) => {
    const key = `${row.name}\n${'endpoint' in row ? row.endpoint : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return Promise.all(
    unique.map(async (row) => {
      if (!('endpoint' in row)) {
        return {
          name: row.name,
          endpoint: '',
          source: row.source,
          current: false,
          reachable: false,
          version: null,
          engineId: null,
          error: row.error,
        };
      }
      const isCurrent = current !== undefined && current.name === row.name && current.endpoint === row.endpoint;
      return {
        name: row.name,
        endpoint: row.endpoint,
        source: row.source,
        current: isCurrent,
        ...(await inspectEngine(row)),
      };
    }),
  );
}

function contextTarget(env: NodeJS.ProcessEnv, name: string, source: EngineSource): EngineTarget {
  if (name === DEFAULT_CONTEXT) return { ...defaultEngine(), source };
  const context = readContext(dockerConfigDir(env), name);
  return {
    ...defaultEngine(),
    name,
    endpoint: context.host,
    source,
    skipTLSVerify: context.skipTLSVerify,
    tls: context.tls,
  };
}

function endpointTarget(endpoint: string, source: EngineSource): EngineTarget {
  checkEndpointUrl(endpoint);
  return { ...defaultEngine(), name: endpoint, endpoint, source };
}

/**
 * How long the probe waits for each answer. `/_ping` is cheap on every engine, so it says quickly
 * whether anything answers. `/version` and `/info` are cheap on Docker but not on Podman, whose compat
 * API builds both answers anew on every call: it runs slirp4netns, runc and conmon with --version and
 * looks each up with dpkg (about a dozen processes), 1-3 s each on this 2-core machine at load 5, past
 * the 5 s the probe used to give each request under heavier load. An engine that answered /_ping is
 * alive, so those two get longer.
 */
export const PROBE_TIMEOUTS = { ping: 5_000, version: 30_000, info: 30_000 };

/** dockerode passes `abortSignal` on to the request for every call; its types omit it for these. */
interface AbortableCalls {
  ping(options: { abortSignal: AbortSignal }): Promise<unknown>;
  version(options: { abortSignal: AbortSignal }): Promise<{ Version?: string; ApiVersion?: string }>;
  info(options: { abortSignal: AbortSignal }): Promise<EngineInfo>;
}

/** Asks one engine for its version and id; a failure is an answer (`reachable: false` and why). */
export async function inspectEngine(
  engine: EngineTarget,
  timeouts: typeof PROBE_TIMEOUTS = PROBE_TIMEOUTS,
): Promise<Pick<EngineCandidate, 'reachable' | 'version' | 'engineId' | 'error'>> {
  // Our own timers (AbortSignal), not dockerode's `timeout` option: dockerode ends a timed-out
  // request with a bare destroy(), which Node reports as "socket hang up" (ECONNRESET), so a wait of
  // ours showed in `engines` as the engine resetting the connection. An abort says which it was.
  let asking: keyof typeof PROBE_TIMEOUTS = 'ping';
  const within = (call: keyof typeof PROBE_TIMEOUTS) => {
    asking = call;
    return { abortSignal: AbortSignal.timeout(timeouts[call]) };
  };
  try {
    const docker = dockerFor(engine) as unknown as AbortableCalls;
    await docker.ping(within('ping'));
    const version = await docker.version(within('version'));
    const tooOld = apiTooOld(version.ApiVersion);
    if (tooOld) return { reachable: false, version: version.Version ?? null, engineId: null, error: tooOld };
    const info = await docker.info(within('info'));
    return {
      reachable: true,
      version: version.Version ?? null,
      engineId: engineIdOf(info, engine.endpoint),
      error: null,
    };
  } catch (error) {
    return {
      reachable: false,
      version: null,
      engineId: null,
      error:
        (error as Error).name === 'AbortError'
          ? `The Docker Engine at ${engine.endpoint} did not answer /${asking === 'ping' ? '_ping' : asking} within ${timeouts[asking] / 1000} s. It may be starting or overloaded: try again; if it stays silent, restart it or choose another engine (volsnap config set engine <name>).`
          : engineError(error, 'reach the engine', engine.endpoint, engine.tls).message,
    };
  }
}

/** A message when the engine's API is older than Volsnap needs, else null. */
export function apiTooOld(apiVersion: string | undefined): string | null {
  if (!apiVersion) return null;
  const [major = 0, minor = 0] = apiVersion.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = MIN_API_VERSION.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return null;
  return `This engine speaks Docker API ${apiVersion}; Volsnap needs ${MIN_API_VERSION} or newer (Docker Engine 20.10+). Update Docker, or choose another engine.`;
}

/**
 * Refuses an engine whose API is too old before a command half-works against it. An engine that
 * cannot be reached passes: commands that only read the catalog still work, the others say why.
 */
export async function assertSupportedEngine(docker: Docker): Promise<void> {
  let apiVersion: string | undefined;
  try {
    apiVersion = (await pingedApiVersion(docker)) ?? ((await docker.version()) as { ApiVersion?: string }).ApiVersion;
  } catch {
    return;
  }
  const tooOld = apiTooOld(apiVersion);
  if (tooOld) throw new VolsnapError('Unsupported', tooOld);
}

/**
 * The API version in /_ping's API-Version header, as the docker CLI negotiates it; undefined when
 * the answer has none. Every mutating command asks before it starts: Docker runs runc and
 * docker-init to answer /version (30 ms here), and answers /_ping at once.
 */
async function pingedApiVersion(docker: Docker): Promise<string | undefined> {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    docker.modem.dial(
      { path: '/_ping', method: 'GET', isStream: true, statusCodes: { 200: true }, options: {} },
      (error, answer) => (error ? reject(error) : resolve(answer as IncomingMessage)),
    ),
  );
  response.resume();
  const header = response.headers['api-version'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}
