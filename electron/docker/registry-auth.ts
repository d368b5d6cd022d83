import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { authKeyOf, hostnameOfAuthKey, isDockerHub } from './image-reference';
import { VolsnapError } from '../../shared/errors';

/** Credentials as the Engine takes them in X-Registry-Auth (dockerode's `authconfig`). */
export interface RegistryAuth {
  serveraddress: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** What a `docker-credential-<name> get` run printed. */
export interface HelperRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AuthSources {
  env?: NodeJS.ProcessEnv;
  /** Default home for `~/.docker`; tests pass their own. */
  home?: string;
  /** Runs a credential helper (`docker-credential-<helper> get`, stdin = server); default spawns it. */
  runHelper?: (helper: string, server: string) => Promise<HelperRun>;
  /** `--username` with `--password-stdin`: used as given, config.json is not read. */
  explicit?: { username: string; password: string };
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, as the docker CLI reads it. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return path.join(env.DOCKER_CONFIG || path.join(home, '.docker'), 'config.json');
}

/**
 * Finds the credentials the docker CLI would use for `registry`: `credHelpers[key]`, else
 * `credsStore` (each through `docker-credential-<name> get`), else the `auths` entry. Null when
 * there are none: the Engine then tries anonymously, which public images allow.
 */
export async function findRegistryAuth(registry: string, sources: AuthSources = {}): Promise<RegistryAuth | null> {
  const key = authKeyOf(registry);
  if (sources.explicit) return { serveraddress: key, ...sources.explicit };
  const file = dockerConfigPath(sources.env, sources.home);
  const config = await readConfig(file);
  const helper = config.credHelpers?.[key] ?? config.credsStore;
  if (helper) {
    const where = config.credHelpers?.[key] ? `credHelpers["${key}"]` : 'credsStore';
    return fromHelper(helper, key, { file, where, run: sources.runHelper ?? runCredentialHelper });
  }
  const entry = findAuthEntry(config.auths ?? {}, key);
  return entry ? fromEntry(entry, key, file) : null;
}

async function readConfig(file: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new VolsnapError('InvalidInput', `Cannot read Docker's config ${file}: ${(error as Error).message}.`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch (error) {
    throw new VolsnapError(
      'InvalidInput',
      `Docker's config ${file} is not valid JSON (${(error as Error).message}); fix it or run docker login again.`,
    );
  }
}

/** The exact key first, then any key whose hostname matches (`https://host/v2/` stands for `host`). */
function findAuthEntry(auths: Record<string, AuthEntry>, key: string): AuthEntry | undefined {
  if (auths[key]) return auths[key];
  const host = hostnameOfAuthKey(key);
  for (const [k, entry] of Object.entries(auths)) if (hostnameOfAuthKey(k) === host) return entry;
  return undefined;
}

function fromEntry(entry: AuthEntry, key: string, file: string): RegistryAuth | null {
  if (entry.identitytoken) return { serveraddress: key, identitytoken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1)
      throw new VolsnapError(
        'InvalidInput',
        `The credentials for ${key} in ${file} are malformed (auth is not base64 of user:password); run docker login ${loginTarget(key)} again.`,
      );
    return { serveraddress: key, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password)
    return { serveraddress: key, username: entry.username, password: entry.password };
  // `docker login` with a credential store leaves an empty entry here: nothing to use.
  return null;
}

async function fromHelper(
  helper: string,
  key: string,
  options: { file: string; where: string; run: (helper: string, server: string) => Promise<HelperRun> },
): Promise<RegistryAuth | null> {
  const program = `docker-credential-${helper}`;
  let result: HelperRun;
  try {
    result = await options.run(helper, key);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new VolsnapError(
        'Unsupported',
        `Docker's config ${options.file} names the credential helper "${helper}" (${options.where}), but ${program} is not installed or not on PATH. Install it, or remove it from the config and run docker login ${loginTarget(key)}.`,
      );
    throw new VolsnapError('Internal', `The credential helper ${program} could not run: ${(error as Error).message}.`);
  }
  // Helpers answer an unknown server with exit 1 and "credentials not found": no credentials, not a failure.
  if (result.code !== 0) {
    if (/credentials not found/i.test(result.stdout + result.stderr)) return null;
    throw new VolsnapError(
      'Unsupported',
      `The credential helper ${program} failed for ${key} (exit ${result.code}): ${(result.stderr || result.stdout).trim()}`,
    );
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    throw new VolsnapError('Unsupported', `The credential helper ${program} answered with something that is not JSON.`);
  }
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  const secret = typeof answer.Secret === 'string' ? answer.Secret : '';
  if (secret === '') return null;
  // The credential-helper protocol marks an identity (refresh) token with the user name "<token>".
  if (username === '<token>') return { serveraddress: key, identitytoken: secret };
  return { serveraddress: key, username, password: secret };
}

/** Runs `docker-credential-<helper> get` with the server on stdin; rejects with ENOENT when missing. */
export function runCredentialHelper(helper: string, server: string, timeoutMs = 60_000): Promise<HelperRun> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper))
    return Promise.reject(new Error(`the helper name "${helper}" has characters a program name cannot have`));
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${helper}`, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    // Our own timer, not spawn's `timeout`: that one outlives a helper that is not installed (no
    // 'exit' follows ENOENT) and held the CLI open for its whole minute after the error.
    const timer = setTimeout(() => child.kill(), timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(server);
  });
}

/** What `docker login` takes for this key (nothing for Docker Hub). */
export function loginTarget(key: string): string {
  return isDockerHub(hostnameOfAuthKey(key)) ? '' : hostnameOfAuthKey(key);
}

const AUTH_FAILURE =
  /no basic auth credentials|unauthorized|authentication required|access to the resource is denied|denied:|401 Unauthorized|incorrect username or password/i;

/**
 * The error for a registry that refused us (engine push/pull messages), or null when `message` is
 * not about credentials. Says which registry and how to log in.
 */
export function registryAuthError(registry: string, message: string, hadCredentials: boolean): VolsnapError | null {
  if (!AUTH_FAILURE.test(message)) return null;
  const login = `docker login${isDockerHub(registry) ? '' : ` ${registry}`}`;
  const what = hadCredentials
    ? `The registry ${registry} refused the stored credentials (${message.trim()}).`
    : `The registry ${registry} asks for credentials and none are stored for it (${message.trim()}).`;
  return new VolsnapError(
    'InvalidInput',
    `${what} Log in with \`${login}\` (or pass --username with --password-stdin), check that you may access this repository, then try again.`,
  );
}
