import { humanDuration } from '../format';
import type { Job } from '../../shared/types';

/**
 * One line on how a finished job ended, beside its status (failed, cancelled, succeeded): the
 * error's own words, which are written for a person (the kind, `Internal` or `Cancelled`, is for
 * programs), or what it did and how long it took.
 */
export function jobOutcome(job: Job): string {
  if (job.error) return job.error.message;
  const took = job.finishedAt ? `took ${humanDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}` : '';
  if (job.kind === 'restore' && job.result?.downtimeMs !== undefined)
    return `${took}, downtime ${humanDuration(job.result.downtimeMs)}`;
  return took;
}
