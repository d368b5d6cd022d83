import type { BrowserWindowConstructorOptions } from 'electron';
import { isAppUrl, type AppLocation } from './app-origin';
import { contentSecurityPolicy as sharedPolicy } from '../../shared/csp';

/**
 * The security of the window in one pure place (STYLE.md 9). Electron-only code applies these
 * values and decisions; it adds none of its own.
 */

/** Options of the main window: isolated, sandboxed, no Node, web security on. */
export function mainWindowOptions(options: {
  preloadPath: string;
  iconPath?: string;
  dark: boolean;
}): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 480,
    title: 'Volsnap',
    // Shown on `ready-to-show` so the user never sees an empty white frame.
    show: false,
    backgroundColor: options.dark ? '#1b1b1f' : '#ffffff',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/**
 * The Content-Security-Policy sent as a response header for every page of the window (file://
 * pages get it through session.webRequest): the web host's (shared/csp.ts), plus the dev server's
 * HMR WebSocket in development.
 */
export function contentSecurityPolicy(location: AppLocation): string {
  return sharedPolicy(location.kind === 'dev' ? [new URL(location.url).origin.replace(/^http/, 'ws')] : []);
}

/** Response headers with our CSP added; an existing CSP header (any case) is replaced, not merged. */
export function withCsp(
  headers: Record<string, string[]> | undefined,
  location: AppLocation,
): Record<string, string[]> {
  const next: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') next[name] = value;
  }
  next['Content-Security-Policy'] = [contentSecurityPolicy(location)];
  return next;
}

/** `will-navigate` / `will-redirect`: only a reload of our own page may proceed. */
export function isNavigationAllowed(url: string, location: AppLocation): boolean {
  return isAppUrl(url, location);
}

/**
 * What to do with a `window.open` or target=_blank link: never a new Electron window; an https
 * link opens in the user's browser, anything else (file:, javascript:, custom schemes) is dropped.
 */
export function externalLinkFor(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * Permission requests and checks (camera, notifications from the page, geolocation, …): all
 * denied, except writing to the clipboard from our own page (the UI copies snapshot ids).
 */
export function isPermissionAllowed(permission: string, requestingUrl: string, location: AppLocation): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl, location);
}
