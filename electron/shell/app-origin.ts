import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where the window's page comes from: the built renderer file, or Vite's dev server in development. */
export type AppLocation = { kind: 'file'; indexPath: string } | { kind: 'dev'; url: string };

/** The URL the window loads for a location. */
export function appUrl(location: AppLocation): string {
  return location.kind === 'file' ? pathToFileURL(location.indexPath).href : location.url;
}

/**
 * True when `candidate` is our own page: the exact index.html file (any query or hash), or the
 * dev server's origin. Everything else (other files, other hosts, data:, about:) is foreign.
 */
export function isAppUrl(candidate: string | null | undefined, location: AppLocation): boolean {
  if (!candidate) return false;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (location.kind === 'dev') {
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === new URL(location.url).origin;
  }
  if (url.protocol !== 'file:' || url.host !== '') return false;
  try {
    return path.resolve(fileURLToPath(url)) === path.resolve(location.indexPath);
  } catch {
    return false;
  }
}

/**
 * An IPC sender is trusted when it is the top frame of our own page: not a subframe (an iframe a
 * bug let in), not a frame that navigated elsewhere, not a destroyed one (null).
 */
export function isTrustedFrame(frame: { url: string; parent: unknown } | null, location: AppLocation): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url, location);
}
