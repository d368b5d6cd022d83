import { describe, expect, it } from 'vitest';
import { isDue, latest, nextDailyAfter, nextRunAt, parseDaily, parseEvery } from './schedule-plan';
import { describeRule, formatSeconds } from '../../shared/schedule-types';

const HOUR = 3_600_000;
/** Local times, so the daily cases read the same in every time zone. */
const at = (day: number, hours: number, minutes = 0) => new Date(2026, 5, day, hours, minutes).getTime();

describe('schedule durations and times', () => {
  it('reads the durations people write, and refuses the rest with the format to use', () => {
    expect(parseEvery('15m')).toBe(900);
    expect(parseEvery('1h30m')).toBe(5400);
    expect(parseEvery('2d')).toBe(172_800);
    expect(parseEvery('3600')).toBe(3600);
    expect(() => parseEvery('hourly')).toThrow(/15m, 1h, 1h30m or 1d/);
    expect(() => parseEvery('10s')).toThrow(/at most once a minute/);
  });

  it('reads HH:MM in 24-hour time and refuses impossible times', () => {
    expect(parseDaily('3:05')).toBe('03:05');
    expect(parseDaily('18:30')).toBe('18:30');
    expect(() => parseDaily('24:00')).toThrow(/HH:MM/);
    expect(() => parseDaily('6pm')).toThrow(/HH:MM/);
  });

  it('describes rules the way the list shows them', () => {
    expect(describeRule({ kind: 'every', seconds: 5400 })).toBe('every 1h30m');
    expect(describeRule({ kind: 'daily', at: '03:00' })).toBe('daily at 03:00');
    expect(formatSeconds(90)).toBe('90s');
  });
});

describe('when a schedule runs', () => {
  const hourly = { kind: 'every' as const, seconds: 3600 };
  const nightly = { kind: 'daily' as const, at: '03:00' };

  it('runs a never-captured workload at once', () => {
    expect(isDue(hourly, null, at(1, 10))).toBe(true);
    expect(isDue(nightly, null, at(1, 10))).toBe(true);
    expect(nextRunAt(nightly, null, at(1, 10))).toBe(at(1, 10));
  });

  it('runs "every" one period after the last run or capture', () => {
    expect(nextRunAt(hourly, at(1, 10), at(1, 10, 30))).toBe(at(1, 11));
    expect(isDue(hourly, at(1, 10), at(1, 10, 59))).toBe(false);
    expect(isDue(hourly, at(1, 10), at(1, 11))).toBe(true);
  });

  it('runs "daily" at the first HH:MM after the last run, in local time', () => {
    expect(nextDailyAfter('03:00', at(1, 2, 59))).toBe(at(1, 3));
    expect(nextDailyAfter('03:00', at(1, 3))).toBe(at(2, 3));
    expect(nextDailyAfter('03:00', at(1, 10))).toBe(at(2, 3));
  });

  it('collapses missed runs into one: after a week away one run is due, and then none until the next slot', () => {
    const away = at(1, 10);
    const back = away + 7 * 24 * HOUR;
    expect(isDue(hourly, away, back)).toBe(true);
    expect(isDue(nightly, away, back)).toBe(true);
    // The run at `back` becomes the last run: nothing more is due for the slots that were missed.
    expect(isDue(hourly, back, back + 60_000)).toBe(false);
    expect(nextRunAt(hourly, back, back)).toBe(back + HOUR);
    expect(isDue(nightly, back, back + 60_000)).toBe(false);
  });

  it('counts from the later of the last scheduled run and the newest snapshot', () => {
    expect(latest(null, null)).toBeNull();
    expect(latest(5, null)).toBe(5);
    expect(latest(5, 9)).toBe(9);
  });
});
