import { describe, expect, it } from 'vitest';
import {
  countOf,
  estimateEta,
  humanAge,
  humanBytes,
  humanDate,
  needsSeconds,
  progressBytes,
  progressRatio,
} from './format';

describe('format', () => {
  it('shows sizes and ages the way the screens need them', () => {
    expect(humanBytes(0)).toBe('0 B');
    expect(humanBytes(1536)).toBe('1.5 KB');
    expect(humanBytes(700 * 1024 * 1024)).toBe('700 MB');
    expect(humanAge(null)).toBe('never');
    expect(humanAge('2026-01-01T00:00:00Z', Date.parse('2026-01-01T02:30:00Z'))).toBe('2 h ago');
  });

  it('estimates the time left from the average rate, only once there is data', () => {
    expect(estimateEta({ bytesDone: 0, bytesTotal: 100 }, 1000)).toBeNull();
    expect(estimateEta({ bytesDone: 50, bytesTotal: null }, 1000)).toBeNull();
    expect(estimateEta({ bytesDone: 25, bytesTotal: 100 }, 1000)).toBe(3000);
  });

  it('past the estimate: no negative ETA, no "46 MB of 67 KB", an indeterminate bar', () => {
    const past = { bytesDone: 46 * 1024 * 1024, bytesTotal: 67 * 1024, ratio: null };
    expect(estimateEta(past, 10_000)).toBeNull();
    expect(progressBytes(past)).toBe('46 MB');
    expect(progressRatio(past)).toBeNull();
    // A ratio from the server past 1 (or below 0) is clamped, and an over-run total wins over it.
    expect(progressRatio({ bytesDone: 10, bytesTotal: 100, ratio: 1.4 })).toBe(1);
    expect(progressRatio({ bytesDone: 200, bytesTotal: 100, ratio: 0.99 })).toBeNull();
    expect(progressRatio({ bytesDone: 25, bytesTotal: 100, ratio: null })).toBe(0.25);
    expect(progressBytes({ bytesDone: 1024, bytesTotal: 2048 })).toBe('1.0 KB of 2.0 KB');
  });

  it('says "1 volume", "2 volumes", "1 file"', () => {
    expect(countOf(1, 'volume')).toBe('1 volume');
    expect(countOf(2, 'volume')).toBe('2 volumes');
    expect(countOf(1, 'file')).toBe('1 file');
    expect(countOf(0, 'file')).toBe('0 files');
  });

  it('shows seconds only where neighbouring times fall in the same minute', () => {
    const times = ['2026-01-01T10:05:40Z', '2026-01-01T10:05:10Z', '2026-01-01T10:03:00Z'];
    expect(needsSeconds(times)).toEqual([true, true, false]);
    expect(humanDate(times[0]!, { seconds: true })).not.toBe(humanDate(times[1]!, { seconds: true }));
    expect(humanDate(times[0]!)).toBe(humanDate(times[1]!));
  });
});
