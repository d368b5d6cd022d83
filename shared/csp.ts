/**
 * The page's Content-Security-Policy, one for the Electron window and the web host: nothing by
 * default, scripts only from our own origin (no inline script, no eval), and the page talks to its
 * host over IPC or a same-origin WebSocket only. `connect` adds origins (the dev server's HMR socket).
 */
export function contentSecurityPolicy(connect: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // React sets styles through the CSSOM (not blocked); this allows <style> from the bundle's CSS-in-JS.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "worker-src 'none'",
  ].join('; ');
}
