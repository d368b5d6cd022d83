import { ErrorMessage } from './error-message';
import { JobProgress } from './job-progress';
import { workloadLabel } from './job-toasts';
import { useClient } from '../client/client-context';
import { humanAge, humanDuration } from '../format';
import type { Job } from '../../shared/types';
import { useJobs } from '../hooks/use-jobs';
import { useNow } from '../hooks/use-now';

/** Running and recent jobs of every process: progress, outcome, cancel. */
export function JobsScreen() {
  const client = useClient();
  const jobs = useJobs();
  // Relative times ("12 s ago") keep moving while the screen is open.
  const now = useNow();
  const running = jobs.data?.filter((j) => j.status === 'running') ?? [];
  const recent = jobs.data?.filter((j) => j.status !== 'running') ?? [];
  return (
    <section aria-labelledby="jobs-title" className="screen">
      <header className="screen-header">
        <h1 id="jobs-title">Jobs</h1>
      </header>
      <ErrorMessage error={jobs.error} />
      <h2>Running</h2>
      {running.length === 0 && (
        <p className="muted">Nothing is running. Capture a workload (Ctrl/Cmd+S on its page) to start a job.</p>
      )}
      {running.length > 0 && (
        <ul className="job-list">
          {running.map((job) => (
            <li key={job.id} data-job={job.id}>
              <span className="muted">{workloadLabel(job.workloadId)}</span>
              <JobProgress job={job} onCancel={() => void client.cancelJob({ jobId: job.id }).catch(() => undefined)} />
            </li>
          ))}
        </ul>
      )}
      <h2>Recent</h2>
      {recent.length === 0 && <p className="muted">No finished jobs yet.</p>}
      {recent.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Workload</th>
              <th scope="col">Outcome</th>
              <th scope="col">Started</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((job) => (
              <tr key={job.id} data-job={job.id}>
                <td>{job.kind}</td>
                <td>{workloadLabel(job.workloadId)}</td>
                <td>
                  <span className={`status status-${job.status}`}>{job.status}</span>
                </td>
                <td title={job.startedAt}>{humanAge(job.startedAt, now)}</td>
                <td>{outcome(job)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One line on how a finished job ended: the error, or what it did and how long it took. */
function outcome(job: Job): string {
  if (job.error) return `${job.error.kind}: ${job.error.message}`;
  const took = job.finishedAt ? `took ${humanDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}` : '';
  if (job.kind === 'restore' && job.result?.downtimeMs !== undefined)
    return `${took}, downtime ${humanDuration(job.result.downtimeMs)}`;
  return took;
}
