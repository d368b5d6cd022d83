/** Display helpers shared by the screens. */

import { humanBytes } from '../shared/format';

export { humanAge, humanBytes } from '../shared/format';

/** "1 volume", "3 volumes"; `plural` defaults to the word with an s. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export function humanDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A date and time to the minute, or to the second with `seconds` (where minutes alone would read alike). */
export function humanDate(iso: string | null, options: { seconds?: boolean } = {}): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (!options.seconds) return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/**
 * For each time in a list, whether it needs seconds to be told from a neighbour: true where the
 * previous or next one falls in the same minute.
 */
export function needsSeconds(isoTimes: string[]): boolean[] {
  const minute = (iso: string | undefined) => (iso === undefined ? NaN : Math.floor(Date.parse(iso) / 60_000));
  return isoTimes.map((iso, i) => {
    const m = minute(iso);
    return m === minute(isoTimes[i - 1]) || m === minute(isoTimes[i + 1]);
  });
}

/** What a progress bar can honestly show: a ratio in 0..1, or null (indeterminate) once the estimate is exceeded. */
export function progressRatio(progress: {
  bytesDone: number;
  bytesTotal: number | null;
  ratio: number | null;
}): number | null {
  const { bytesDone, bytesTotal, ratio } = progress;
  if (bytesTotal && bytesDone > bytesTotal) return null;
  const value = ratio ?? (bytesTotal ? bytesDone / bytesTotal : null);
  return value === null || !Number.isFinite(value) ? null : Math.min(1, Math.max(0, value));
}

/** "46 MB of 67 MB"; only "46 MB" once the estimate is exceeded (never "46 MB of 67 KB"). */
export function progressBytes(progress: { bytesDone: number; bytesTotal: number | null }): string {
  const { bytesDone, bytesTotal } = progress;
  if (!bytesTotal || bytesDone > bytesTotal) return humanBytes(bytesDone);
  return `${humanBytes(bytesDone)} of ${humanBytes(bytesTotal)}`;
}

/** Remaining time from the average rate so far; null until there is enough to tell, and once past the estimate. */
export function estimateEta(
  progress: { bytesDone: number; bytesTotal: number | null },
  elapsedMs: number,
): number | null {
  const { bytesDone, bytesTotal } = progress;
  if (!bytesTotal || bytesDone <= 0 || elapsedMs < 500 || bytesDone >= bytesTotal) return null;
  return (elapsedMs * (bytesTotal - bytesDone)) / bytesDone;
}
