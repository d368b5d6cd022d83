import { VolsnapError } from '../../shared/errors';
import type { ScheduleRule } from '../../shared/schedule-types';

/** The scheduler looks once a minute, so a shorter period could not be kept. */
export const MIN_EVERY_SECONDS = 60;
const MAX_EVERY_SECONDS = 366 * 86_400;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90s", "15m", "1h", "1h30m", "2d", or plain seconds ("3600") → seconds. */
export function parseEvery(text: string): number {
  const trimmed = text.trim().toLowerCase();
  let seconds = 0;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else if (/^(\d+[smhd])+$/.test(trimmed)) {
    for (const [, n, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) seconds += Number(n) * UNIT_SECONDS[unit!]!;
  } else {
    throw new VolsnapError(
      'InvalidInput',
      `"${text}" is not a duration. Write it like 15m, 1h, 1h30m or 1d (s, m, h, d).`,
    );
  }
  if (seconds < MIN_EVERY_SECONDS || seconds > MAX_EVERY_SECONDS) {
    throw new VolsnapError(
      'InvalidInput',
      `A schedule runs at most once a minute and at least once a year; "${text}" is outside that. Choose between 1m and 366d.`,
    );
  }
  return seconds;
}

/** "3:05" or "03:05" (24-hour, local time) → "03:05". */
export function parseDaily(text: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 23 || minutes > 59) {
    throw new VolsnapError(
      'InvalidInput',
      `"${text}" is not a time of day. Write it as HH:MM, 24-hour local time (03:00, 18:30).`,
    );
  }
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * When a schedule runs next, in ms. `since` is the last time the workload was taken care of (its
 * last scheduled run or its newest snapshot, whichever is later); null means never captured, so
 * it runs at once (`now`). Runs missed meanwhile are not counted: whatever the gap, the result is
 * one moment, and after that run `since` moves to it, so missed slots collapse into one run.
 */
export function nextRunAt(rule: ScheduleRule, since: number | null, now: number): number {
  if (since === null) return now;
  if (rule.kind === 'every') return since + rule.seconds * 1000;
  return nextDailyAfter(rule.at, since);
}

/** The first local HH:MM strictly after `after` (a day with no such minute, a DST jump, moves it on). */
export function nextDailyAfter(at: string, after: number): number {
  const [hours, minutes] = at.split(':').map(Number) as [number, number];
  const day = new Date(after);
  const candidate = new Date(day.getFullYear(), day.getMonth(), day.getDate(), hours, minutes, 0, 0);
  if (candidate.getTime() > after) return candidate.getTime();
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1, hours, minutes, 0, 0).getTime();
}

/** A schedule is due once its next run is not in the future. */
export function isDue(rule: ScheduleRule, since: number | null, now: number): boolean {
  return nextRunAt(rule, since, now) <= now;
}

/** The later of two optional times (last scheduled run, newest snapshot). */
export function latest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
