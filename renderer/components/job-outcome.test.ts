import { describe, expect, it } from 'vitest';
import { jobOutcome } from './job-outcome';
import type { Job } from '../../shared/types';

const job = (fields: Partial<Job>): Job =>
  ({
    id: 'j1',
    kind: 'capture',
    workloadId: 'compose:shop',
    snapshotId: null,
    status: 'succeeded',
    phase: 'capturing',
    startedAt: '2026-12-03T10:00:00.000Z',
    finishedAt: '2026-12-03T10:00:12.000Z',
    error: null,
    progress: null,
    result: null,
    ...fields,
  }) as Job;

describe('what the Jobs table says of a finished job', () => {
  it("gives a failed job's own words, not the error's kind (the status column says it failed)", () => {
    const failed = job({
      status: 'failed',
      error: { kind: 'Internal', message: 'Interrupted: the Volsnap process running it stopped before it finished.' },
    });
    expect(jobOutcome(failed)).toBe('Interrupted: the Volsnap process running it stopped before it finished.');
    const cancelled = job({
      status: 'cancelled',
      error: { kind: 'Cancelled', message: 'The export was cancelled; nothing was kept.' },
    });
    expect(jobOutcome(cancelled)).toBe('The export was cancelled; nothing was kept.');
  });

  it('gives how long a job took, and a restore its downtime', () => {
    expect(jobOutcome(job({}))).toBe('took 12 s');
    const restore = { ...job({ kind: 'restore' }), result: { kind: 'restore', downtimeMs: 2400 } } as Job;
    expect(jobOutcome(restore)).toBe('took 12 s, downtime 2 s');
  });
});
