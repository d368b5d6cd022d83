import { describe, expect, it } from 'vitest';
import { appUrl, isAppUrl, isTrustedFrame, type AppLocation } from './app-origin';
import {
  contentSecurityPolicy,
  externalLinkFor,
  isNavigationAllowed,
  isPermissionAllowed,
  mainWindowOptions,
  withCsp,
} from './window-options';

const file: AppLocation = { kind: 'file', indexPath: '/opt/Volsnap/resources/app.asar/dist/renderer/index.html' };
const dev: AppLocation = { kind: 'dev', url: 'http://localhost:5173/' };
const page = appUrl(file);

describe('mainWindowOptions', () => {
  const prefs = mainWindowOptions({ preloadPath: '/app/dist/preload.cjs', dark: false }).webPreferences!;

  it('isolates and sandboxes the page with no Node', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/preload.cjs',
    });
  });

  it('starts hidden so no white frame flashes, with a background matching the theme', () => {
    const dark = mainWindowOptions({ preloadPath: 'p', dark: true });
    expect(dark.show).toBe(false);
    expect(dark.backgroundColor).not.toBe(mainWindowOptions({ preloadPath: 'p', dark: false }).backgroundColor);
  });
});

describe('content security policy', () => {
  it('allows only our own scripts, no eval, no inline scripts, no frames, no plugins', () => {
    const csp = contentSecurityPolicy(file);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self';");
  });

  it('lets the dev page reach only its own HMR socket', () => {
    expect(contentSecurityPolicy(dev)).toContain("connect-src 'self' ws://localhost:5173;");
  });

  it('replaces a CSP header of any case instead of adding a weaker second one', () => {
    const headers = withCsp({ 'content-security-policy': ['default-src *'], 'X-Other': ['1'] }, file);
    expect(Object.keys(headers).sort()).toEqual(['Content-Security-Policy', 'X-Other']);
    expect(headers['Content-Security-Policy']).toEqual([contentSecurityPolicy(file)]);
  });
});

describe('our own page', () => {
  it('is the exact index.html, with any hash', () => {
    expect(isAppUrl(page, file)).toBe(true);
    expect(isAppUrl(`${page}#/snapshots/abc`, file)).toBe(true);
  });

  it('is not another local file, another host, or a malformed URL', () => {
    expect(isAppUrl('file:///etc/passwd', file)).toBe(false);
    expect(isAppUrl(page.replace('index.html', 'evil.html'), file)).toBe(false);
    expect(isAppUrl('file://attacker.example/opt/Volsnap/resources/app.asar/dist/renderer/index.html', file)).toBe(
      false,
    );
    expect(isAppUrl('https://example.com/', file)).toBe(false);
    expect(isAppUrl('about:blank', file)).toBe(false);
    expect(isAppUrl('not a url', file)).toBe(false);
    expect(isAppUrl(null, file)).toBe(false);
  });

  it('in development is the dev server origin only', () => {
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', dev)).toBe(false);
  });
});

describe('navigation, new windows and permissions', () => {
  it('denies navigation away from our page', () => {
    expect(isNavigationAllowed(page, file)).toBe(true);
    expect(isNavigationAllowed('https://example.com/', file)).toBe(false);
    expect(isNavigationAllowed('file:///home/user/.ssh/id_rsa', file)).toBe(false);
  });

  it('opens only plain https links outside, never in an app window', () => {
    expect(externalLinkFor('https://docs.docker.com/')).toBe('https://docs.docker.com/');
    expect(externalLinkFor('http://example.com/')).toBeNull();
    expect(externalLinkFor('file:///etc/passwd')).toBeNull();
    expect(externalLinkFor('javascript:alert(1)')).toBeNull();
    expect(externalLinkFor('https://user:pw@example.com/')).toBeNull();
    expect(externalLinkFor('::')).toBeNull();
  });

  it('denies every permission except clipboard writes from our own page', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'fullscreen', 'hid']) {
      expect(isPermissionAllowed(permission, page, file)).toBe(false);
    }
    expect(isPermissionAllowed('clipboard-sanitized-write', page, file)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com/', file)).toBe(false);
  });
});

describe('IPC sender check', () => {
  it('trusts only the top frame of our own page', () => {
    expect(isTrustedFrame({ url: page, parent: null }, file)).toBe(true);
    expect(isTrustedFrame({ url: page, parent: {} }, file)).toBe(false);
    expect(isTrustedFrame({ url: 'https://example.com/', parent: null }, file)).toBe(false);
    expect(isTrustedFrame({ url: 'file:///tmp/index.html', parent: null }, file)).toBe(false);
    expect(isTrustedFrame(null, file)).toBe(false);
  });
});
