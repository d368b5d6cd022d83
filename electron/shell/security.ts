import { shell, type Session, type WebContents } from 'electron';
import type { AppLocation } from './app-origin';
import { externalLinkFor, isNavigationAllowed, isPermissionAllowed, withCsp } from './window-options';

/** Applies the CSP header to every response (file:// included) and denies permissions. */
export function hardenSession(session: Session, location: AppLocation): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, location) });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, location));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed(permission, details.requestingUrl ?? requestingOrigin, location),
  );
}

/**
 * For every web contents the app creates: no navigation away from our page, no new windows (https
 * links go to the user's browser), no <webview>.
 */
export function hardenContents(contents: WebContents, location: AppLocation): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (!isNavigationAllowed(url, location)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalLinkFor(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
}
