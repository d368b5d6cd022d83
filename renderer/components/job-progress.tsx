import { useRef, type ReactNode } from 'react';
import { estimateEta, humanBytes, humanDuration } from '../format';
import type { Job } from '../../shared/types';

/** A job's phase, progress bar with bytes and ETA, and its outcome once finished. */
export function JobProgress({ job, onCancel }: { job: Job; onCancel?: () => void }) {
  const startedAt = useRef(Date.now());
  const progress = job.progress;
  const ratio = progress?.ratio ?? (progress?.bytesTotal ? progress.bytesDone / progress.bytesTotal : null);
  const eta = progress && job.status === 'running' ? estimateEta(progress, Date.now() - startedAt.current) : null;
  return (
    <div className="job-progress" data-status={job.status}>
      <div className="job-line">
        <span className="phase">
          {job.kind} · {job.status === 'running' ? job.phase : job.status}
        </span>
        {progress && (
          <span className="bytes">
            {humanBytes(progress.bytesDone)}
            {progress.bytesTotal ? ` of ${humanBytes(progress.bytesTotal)}` : ''} · {progress.filesDone} files
            {eta !== null && ` · about ${humanDuration(eta)} left`}
          </span>
        )}
      </div>
      {job.status === 'running' && (
        <progress
          aria-label={`${job.kind} progress`}
          max={1}
          value={ratio ?? undefined}
          title={ratio !== null ? `${Math.round(ratio * 100)} %` : job.phase}
        />
      )}
      {job.status === 'running' && onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel {job.kind}
        </button>
      )}
      {job.error && (
        <p className="error" role="alert">
          <strong>{job.error.kind}:</strong> {job.error.message}
        </p>
      )}
    </div>
  );
}

/**
 * A dialog's body while its job runs: the progress (or "Starting…" until the job is known), what
 * the caller shows of the outcome, and a Done button once the job has ended.
 */
export function JobPanel({
  job,
  onCancel,
  onClose,
  children,
}: {
  job: Job | undefined;
  onCancel?: () => void;
  onClose: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="form">
      {job ? <JobProgress job={job} onCancel={onCancel} /> : <p>Starting…</p>}
      {children}
      {job && job.status !== 'running' && (
        <div className="buttons">
          <button type="button" className="primary" onClick={onClose}>
            Done
          </button>
        </div>
      )}
    </div>
  );
}
