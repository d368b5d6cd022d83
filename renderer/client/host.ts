/** Whether the page runs in the desktop app (Electron's preload bridge) rather than a browser on `volsnap serve`. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && window.volsnapBridge !== undefined;
}
