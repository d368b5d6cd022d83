import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { VolsnapError } from '../../shared/errors';

/**
 * The docker CLI's context store, read from its files (the `docker` binary may not be installed):
 *   $DOCKER_CONFIG/config.json                          {"currentContext": "<name>", ...}
 *   $DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json
 *       {"Name": "<name>", "Metadata": {...}, "Endpoints": {"docker": {"Host": "...", "SkipTLSVerify": false}}}
 *   $DOCKER_CONFIG/contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem   (each optional)
 * `default` is never stored: it means DOCKER_HOST or the platform socket.
 */
export interface DockerContext {
  name: string;
  host: string;
  skipTLSVerify: boolean;
  /** Paths of the TLS files the context carries (only those that exist). */
  tls: { ca?: string; cert?: string; key?: string };
}

export const DEFAULT_CONTEXT = 'default';

/** `$DOCKER_CONFIG`, else `~/.docker` (HOME from the given env, so tests can point it elsewhere). */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_CONFIG) return path.resolve(env.DOCKER_CONFIG);
  return path.join(env.HOME || env.USERPROFILE || homedir(), '.docker');
}

/** The `currentContext` of config.json, or undefined when none is set (or it names `default`). */
export function currentContextName(configDir: string): string | undefined {
  const file = path.join(configDir, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // No docker config: the docker CLI uses the default context too.
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new VolsnapError(
      'InvalidInput',
      `${file} is not valid JSON, so the current Docker context is unknown. Fix or remove it.`,
    );
  }
  const name = (parsed as { currentContext?: unknown } | null)?.currentContext;
  return typeof name === 'string' && name !== '' && name !== DEFAULT_CONTEXT ? name : undefined;
}

function contextId(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** Every stored context, sorted by name; unreadable entries are skipped (the docker CLI warns too). */
export function listContexts(configDir: string): DockerContext[] {
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  let ids: string[];
  try {
    ids = readdirSync(metaRoot);
  } catch {
    return [];
  }
  const contexts: DockerContext[] = [];
  for (const id of ids) {
    const context = readMeta(configDir, id);
    if (context) contexts.push(context);
  }
  return contexts.sort((a, b) => a.name.localeCompare(b.name));
}

/** The named context; `NotFound` naming the known ones when it does not exist. */
export function readContext(configDir: string, name: string): DockerContext {
  const context = readMeta(configDir, contextId(name));
  if (context) return context;
  const known = [DEFAULT_CONTEXT, ...listContexts(configDir).map((c) => c.name)];
  throw new VolsnapError(
    'NotFound',
    `There is no Docker context "${name}" in ${configDir}. Known contexts: ${known.join(', ')}. Use one of them (docker context ls), or create it with docker context create.`,
  );
}

function readMeta(configDir: string, id: string): DockerContext | undefined {
  const file = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: { Name?: unknown; Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as typeof meta;
  } catch {
    return undefined;
  }
  const docker = meta.Endpoints?.docker;
  if (typeof meta.Name !== 'string' || typeof docker?.Host !== 'string') return undefined;
  return {
    name: meta.Name,
    host: docker.Host,
    skipTLSVerify: docker.SkipTLSVerify === true,
    tls: tlsFiles(path.join(configDir, 'contexts', 'tls', id, 'docker')),
  };
}

function tlsFiles(dir: string): DockerContext['tls'] {
  const tls: DockerContext['tls'] = {};
  for (const kind of ['ca', 'cert', 'key'] as const) {
    const file = path.join(dir, `${kind}.pem`);
    if (existsSync(file)) tls[kind] = file;
  }
  return tls;
}
