import { Command, Loader2, X } from 'lucide-react';
import { useClient } from '../client/client-context';
import { progressBytes, progressRatio } from '../format';
import { useJobs } from '../hooks/use-jobs';
import { jobPhaseText } from '../../shared/job-phase';
import { workloadLabel } from './job-toasts';
import { SHORTCUTS, ariaChord, chordLabel } from '../hooks/use-shortcut';

/**
 * A compact line at the bottom of every screen: each running job with its progress and a cancel
 * button; and the palette's button with its shortcut.
 */
export function JobStrip({ onOpenPalette }: { onOpenPalette: () => void }) {
  const client = useClient();
  const running = useJobs().data?.filter((j) => j.status === 'running') ?? [];
  return (
    <section className="job-strip" aria-label="Running jobs">
      {running.length === 0 && <span className="muted strip-idle">No job running</span>}
      {running.map((job) => {
        const ratio = job.progress ? progressRatio(job.progress) : null;
        const label = `${job.kind} of ${workloadLabel(job.workloadId)}`;
        return (
          <span key={job.id} className="strip-job" data-strip-job={job.id}>
            <Loader2 aria-hidden size={14} className="spin" />
            <span className="strip-text">
              {label} · {jobPhaseText(job)}
              {job.progress && job.progress.bytesDone > 0 && ` · ${progressBytes(job.progress)}`}
            </span>
            <progress aria-label={`${label} progress`} max={1} value={ratio ?? undefined} />
            <button
              type="button"
              className="icon-button small"
              aria-label={`Cancel ${label}`}
              title="Cancel"
              onClick={() => void client.cancelJob({ jobId: job.id }).catch(() => undefined)}
            >
              <X aria-hidden size={14} />
            </button>
          </span>
        );
      })}
      <button
        type="button"
        className="ghost small palette-button"
        aria-keyshortcuts={ariaChord(SHORTCUTS.palette)}
        onClick={onOpenPalette}
      >
        <Command aria-hidden size={14} /> Commands <kbd>{chordLabel(SHORTCUTS.palette)}</kbd>
      </button>
    </section>
  );
}
