/** Display helpers shared by the screens. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function humanBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** "3 min ago", "2 h ago", "5 d ago"; "never" for null. */
export function humanAge(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

export function humanDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export function humanDate(iso: string | null): string {
  if (!iso) return '–';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Remaining time from the average rate so far; null until there is enough to tell. */
export function estimateEta(
  progress: { bytesDone: number; bytesTotal: number | null },
  elapsedMs: number,
): number | null {
  const { bytesDone, bytesTotal } = progress;
  if (!bytesTotal || bytesDone <= 0 || elapsedMs < 500) return null;
  return (elapsedMs * (bytesTotal - bytesDone)) / bytesDone;
}
