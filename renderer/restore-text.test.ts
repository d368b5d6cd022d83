import { describe, expect, it } from 'vitest';
import { downtimeText, stoppingText } from './restore-text';
import type { RestorePlan, RestorePlanDetails } from '../shared/restore-types';
import type { Job, JobPhase } from '../shared/types';

const details: RestorePlanDetails = {
  snapshotCreatedAt: '2026-01-01T10:00:00.000Z',
  lastRestore: null,
  estimatedDowntimeMs: { withSafetySnapshot: 12_000, withoutSafetySnapshot: 2_000 },
  stopTimeouts: [
    { container: 'db', seconds: 10 },
    { container: 'web', seconds: 3 },
  ],
  imageChanges: [],
};
const plan = {
  containersToStop: ['db'],
  details,
} as unknown as RestorePlan;
const job = (phase: JobPhase) => ({ phase }) as Job;

describe('restore text', () => {
  it('says which containers stop and for how long at most', () => {
    expect(stoppingText(job('stopping'), plan)).toBe('Stopping db (up to 10 s)');
    expect(stoppingText(job('stopping'), { ...plan, containersToStop: ['web', 'db'] })).toBe(
      'Stopping web, db (up to 13 s)',
    );
    expect(stoppingText(job('staging'), plan)).toBeNull();
  });

  it('predicts the downtime from the last restore when it was made the same way, else estimates', () => {
    expect(downtimeText(details, true)).toBe(
      'Expected downtime: about 12 s, an estimate (the safety snapshot is taken while the containers are stopped).',
    );
    expect(downtimeText(details, false)).toBe('Expected downtime: about 2 s, an estimate.');
    const last = { ...details, lastRestore: { downtimeMs: 4_000, finishedAt: '', safetySnapshot: true } };
    expect(downtimeText(last, true)).toBe('Expected downtime: about 4 s, as the last restore of this workload.');
    expect(downtimeText(last, false)).toBe('Expected downtime: about 2 s, an estimate.');
  });
});
