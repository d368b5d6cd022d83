import { VolsnapError } from '../../shared/errors';

/** The key Docker Hub's credentials are stored under in config.json and asked of credential helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** An image reference split as the docker CLI splits it (`registry/repository:tag` or `@digest`). */
export interface ImageReference {
  /** Registry host as written (`ghcr.io`, `127.0.0.1:5000`), `docker.io` when none is given. */
  registry: string;
  /** Repository path; Docker Hub's single names get `library/`. */
  repository: string;
  tag: string | null;
  digest: string | null;
  /** The reference as the Engine takes it (`registry/repository`), without tag or digest. */
  name: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/**
 * Parses a reference with the docker CLI's rules: the first path component is a registry when it
 * holds a `.` or `:` or is `localhost`; otherwise the image is on Docker Hub.
 */
export function parseImageReference(input: string): ImageReference {
  const bad = (why: string) =>
    new VolsnapError(
      'InvalidInput',
      `"${input}" is not an image reference (${why}). Write it as registry/repository:tag, e.g. ghcr.io/acme/db-snapshots:monday.`,
    );
  const text = input.trim();
  if (text === '' || text.length > 512) throw bad('empty or too long');
  const [withoutDigest, digest, ...more] = text.split('@');
  if (more.length > 0 || withoutDigest === undefined) throw bad('more than one @');
  if (digest !== undefined && !DIGEST.test(digest)) throw bad('the digest after @ is malformed');
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  const hasTag = lastColon > lastSlash;
  const path = hasTag ? withoutDigest.slice(0, lastColon) : withoutDigest;
  const tag = hasTag ? withoutDigest.slice(lastColon + 1) : null;
  if (tag !== null && !TAG.test(tag)) throw bad(`the tag "${tag}" is malformed`);
  const parts = path.split('/');
  const first = parts[0] ?? '';
  const explicitRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (explicitRegistry && !HOST.test(first)) throw bad(`"${first}" is not a registry host`);
  const registry = explicitRegistry ? first : 'docker.io';
  const repoParts = explicitRegistry ? parts.slice(1) : parts;
  if (repoParts.length === 0 || !repoParts.every((p) => COMPONENT.test(p)))
    throw bad('repository names are lowercase letters, digits and . _ - separated by /');
  if (registry === 'docker.io' && repoParts.length === 1) repoParts.unshift('library');
  const repository = repoParts.join('/');
  return { registry, repository, tag, digest: digest ?? null, name: `${registry}/${repository}` };
}

/** The reference with a tag or digest, defaulting to `latest` as docker push/pull do. */
export function fullReference(ref: ImageReference): string {
  if (ref.digest) return `${ref.name}@${ref.digest}`;
  return `${ref.name}:${ref.tag ?? 'latest'}`;
}

/** The key a registry's credentials live under (config.json `auths`, credHelpers, helper `get`). */
export function authKeyOf(registry: string): string {
  return isDockerHub(registry) ? DOCKER_HUB_AUTH_KEY : registry;
}

export function isDockerHub(registry: string): boolean {
  return ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(registry);
}

/** `https://host/path` → `host`, as the docker CLI's ConvertToHostname compares `auths` keys. */
export function hostnameOfAuthKey(key: string): string {
  const stripped = key.replace(/^https?:\/\//, '');
  return stripped.split('/')[0] ?? stripped;
}
