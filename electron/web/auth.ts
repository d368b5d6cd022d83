import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_PARAM } from '../../shared/web-protocol';

/** A fresh random token for one `volsnap serve` run: 32 bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The cookie that lets the page's own assets load after the first, token-carrying request. */
export function tokenCookieName(port: number): string {
  // Cookies ignore ports: one name per port keeps two servers from clobbering each other.
  return `volsnap_token_${port}`;
}

/** Whether the request carries the token, in the URL (`?token=`) or in the page's cookie. */
export function hasToken(req: IncomingMessage, url: URL, options: { token: string; port: number }): boolean {
  const fromQuery = url.searchParams.get(TOKEN_PARAM);
  if (fromQuery !== null) return sameSecret(fromQuery, options.token);
  const fromCookie = readCookie(req.headers.cookie, tokenCookieName(options.port));
  return fromCookie !== null && sameSecret(fromCookie, options.token);
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

/**
 * The Host names the server answers to: loopback names, plus the explicit `--host` unless it is a
 * wildcard (then any Host, since we cannot know the name the user browses to).
 */
export function allowedHost(hostHeader: string | undefined, options: { bindHost: string; port: number }): boolean {
  if (!hostHeader) return false;
  if (options.bindHost === '0.0.0.0' || options.bindHost === '::') return true;
  const names = new Set([
    '127.0.0.1',
    'localhost',
    '[::1]',
    options.bindHost.includes(':') ? `[${options.bindHost}]` : options.bindHost,
  ]);
  return [...names].some((name) => hostHeader === `${name}:${options.port}`);
}

/** A WebSocket's Origin must be exactly the origin the page was served from (same Host). */
export function originAllowed(req: IncomingMessage, options: { bindHost: string; port: number }): boolean {
  const host = req.headers.host;
  return allowedHost(host, options) && req.headers.origin === `http://${host}`;
}
