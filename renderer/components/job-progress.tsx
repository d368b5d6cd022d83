import { useRef, type ReactNode } from 'react';
import { MessageText } from './message-text';
import { countOf, estimateEta, humanDuration, progressBytes, progressRatio } from '../format';
import type { Job } from '../../shared/types';
import { jobPhaseText } from '../../shared/job-phase';

/** Says what a running job is doing in the caller's words (e.g. which containers stop); null keeps the phase. */
export type DescribePhase = (job: Job) => string | null;

/**
 * A job's phase, progress bar with bytes and ETA, and its outcome once finished. Past its size
 * estimate the bar turns indeterminate and only the bytes done are shown.
 */
export function JobProgress({
  job,
  onCancel,
  describePhase,
}: {
  job: Job;
  onCancel?: () => void;
  describePhase?: DescribePhase;
}) {
  const startedAt = useRef(Date.now());
  const progress = job.progress;
  const ratio = progress ? progressRatio(progress) : null;
  const eta = progress && job.status === 'running' ? estimateEta(progress, Date.now() - startedAt.current) : null;
  const phase = job.status === 'running' ? (describePhase?.(job) ?? jobPhaseText(job)) : job.status;
  return (
    <div className="job-progress" data-status={job.status}>
      <div className="job-line">
        <span className="phase">
          {job.kind} · {phase}
        </span>
        {progress && (progress.bytesDone > 0 || progress.filesDone > 0) && (
          <span className="bytes">
            {/* A phase that counts no files (checking, sending) does not say "0 files". */}
            {[
              progress.bytesDone > 0 && progressBytes(progress),
              progress.filesDone > 0 && countOf(progress.filesDone, 'file'),
            ]
              .filter(Boolean)
              .join(' · ')}
            {eta !== null && ` · about ${humanDuration(eta)} left`}
          </span>
        )}
      </div>
      {job.status === 'running' && (
        <progress
          aria-label={`${job.kind} progress`}
          max={1}
          value={ratio ?? undefined}
          title={ratio !== null ? `${Math.round(ratio * 100)} %` : jobPhaseText(job)}
        />
      )}
      {job.status === 'running' && onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel {job.kind}
        </button>
      )}
      {job.error && (
        <p className="error" role="alert">
          <strong>{job.error.kind}:</strong> <MessageText text={job.error.message} />
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
  describePhase,
  children,
}: {
  job: Job | undefined;
  onCancel?: () => void;
  onClose: () => void;
  describePhase?: DescribePhase;
  children?: ReactNode;
}) {
  return (
    <div className="form">
      {job ? <JobProgress job={job} onCancel={onCancel} describePhase={describePhase} /> : <p>Starting…</p>}
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
