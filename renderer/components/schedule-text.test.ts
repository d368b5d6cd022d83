import { describe, expect, it } from 'vitest';
import { draftOf, lastRunText, nextRunText, ruleOf, scheduledText } from './schedule-text';
import type { Schedule } from '../../shared/schedule-types';

const base: Schedule = {
  engineId: 'e',
  workloadId: 'compose:shop',
  workloadName: 'shop',
  rule: { kind: 'every', seconds: 3600 },
  nextRunAt: '2026-12-02T14:00:00.000Z',
  lastRunAt: '2026-12-02T13:00:00.000Z',
  lastOutcome: 'succeeded',
  lastError: null,
  lastSnapshotId: 's1',
};

describe('schedule texts', () => {
  it('says due now once the next run is not in the future', () => {
    expect(nextRunText(base, Date.parse('2026-12-02T14:00:00.000Z'))).toBe('due now');
    expect(scheduledText(base, Date.parse('2026-12-02T14:00:01.000Z'))).toBe('Captured every 1h; next run due now');
    expect(nextRunText(base, Date.parse('2026-12-02T13:30:00.000Z'))).not.toBe('due now');
  });

  it('says why the last run failed or waits, and nothing before the first run', () => {
    expect(lastRunText({ ...base, lastOutcome: null, lastRunAt: null })).toBeNull();
    expect(lastRunText({ ...base, lastOutcome: 'failed', lastError: 'Volume v is in use.' })).toMatch(
      /^Last scheduled capture failed \(.+\): Volume v is in use\.$/,
    );
    expect(
      lastRunText({ ...base, lastOutcome: 'waiting', lastError: 'Waiting: a restore of shop is running.' }),
    ).toMatch(/^The scheduled capture is waiting \(.+\): a restore of shop is running\.$/);
  });
});

describe('the rule form', () => {
  it('starts from the workload rule and gives it back unchanged', () => {
    for (const rule of [
      { kind: 'every', seconds: 3600 * 6 },
      { kind: 'every', seconds: 900 },
      { kind: 'daily', at: '18:30' },
    ] as const)
      expect(ruleOf(draftOf(rule))).toEqual(rule);
    expect(ruleOf({ ...draftOf(null), kind: 'off' })).toBeNull();
    expect(ruleOf(draftOf(null))).toEqual({ kind: 'every', seconds: 3600 });
  });
});
