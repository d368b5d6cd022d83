import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';
import { JobPanel } from './job-progress';
import { Modal } from './modal';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useJob } from '../hooks/use-jobs';
import { CAPTURE_MODES, type CaptureMode, type Workload } from '../../shared/types';
import { SNAPSHOT_NAME_MAX } from '../../shared/snapshot-name';

/** Name, note and mode for a new snapshot; then the capture job's progress, with cancel. */
export function CaptureDialog({ workload, onClose }: { workload: Workload; onClose: () => void }) {
  const client = useClient();
  const settings = useQuery({ queryKey: queryKeys.settings, queryFn: () => client.getSettings({}) });
  const [name, setName] = useState('');
  const [note, setNote] = useState('');
  const [mode, setMode] = useState<CaptureMode | null>(null);
  const capture = useMutation({
    mutationFn: () =>
      client.captureWorkload({
        workload: workload.id,
        name: name.trim() || undefined,
        note: note || undefined,
        mode: mode ?? settings.data?.defaultMode,
      }),
  });
  const job = useJob(capture.data?.jobId ?? null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    capture.mutate();
  };
  return (
    <Modal title={`Capture ${workload.name}`} onClose={onClose}>
      {!capture.data ? (
        <form onSubmit={submit} className="form">
          <label>
            Name
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="automatic when empty"
              maxLength={SNAPSHOT_NAME_MAX}
            />
          </label>
          <label>
            Note
            <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} rows={2} />
          </label>
          <label>
            Mode
            <select
              value={mode ?? settings.data?.defaultMode ?? 'pause'}
              onChange={(e) => setMode(e.target.value as CaptureMode)}
            >
              {CAPTURE_MODES.map((m) => (
                <option key={m} value={m}>
                  {MODE_LABELS[m]}
                </option>
              ))}
            </select>
          </label>
          <p className="muted">Volumes: {workload.volumes.map((v) => v.name).join(', ')}</p>
          <ErrorMessage error={capture.error} />
          <div className="buttons">
            <button type="submit" className="primary" disabled={capture.isPending}>
              Capture
            </button>
          </div>
        </form>
      ) : (
        <JobPanel job={job} onCancel={job && (() => void client.cancelJob({ jobId: job.id }))} onClose={onClose} />
      )}
    </Modal>
  );
}

const MODE_LABELS: Record<CaptureMode, string> = {
  live: 'live (no interruption)',
  pause: 'pause (freeze containers while capturing)',
  stop: 'stop (stop, capture, start again)',
};
