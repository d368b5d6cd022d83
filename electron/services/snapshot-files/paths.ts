import { VolsnapError } from '../../../shared/errors';

/**
 * A path inside a snapshot volume as a person or a URL gives it (`/etc/x`, `./etc/x/`, `etc//x`)
 * in the manifest's form (`etc/x`; `.` for the root). It is only ever looked up in the manifest,
 * never joined to a host path, but `..` and NUL are refused so no caller is tempted.
 */
export function manifestPath(raw: string): string {
  if (raw.includes('\0')) throw new VolsnapError('InvalidInput', 'A path inside a snapshot cannot contain a NUL byte.');
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) {
    throw new VolsnapError(
      'InvalidInput',
      `"${raw}" contains "..": give the path inside the volume from its root, e.g. data/config.yml.`,
    );
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

/** Whether `path` is `scope` or lies under it (`.` holds everything). */
export function isUnder(path: string, scope: string): boolean {
  return scope === '.' || path === scope || path.startsWith(`${scope}/`);
}

/** The last part of a manifest path; the volume's name for its root. */
export function baseName(path: string, volumeName: string): string {
  return path === '.' ? volumeName : path.slice(path.lastIndexOf('/') + 1);
}
