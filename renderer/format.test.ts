import { describe, expect, it } from 'vitest';
import { estimateEta, humanAge, humanBytes } from './format';

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
});
