import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';
import { JobPanel } from './job-progress';
import { Modal } from './modal';
import { useClient } from '../client/client-context';
import { useJob } from '../hooks/use-jobs';
import type { Snapshot } from '../../shared/types';

/**
 * "Restore into new volumes…": puts the snapshot into volumes that do not exist yet (every volume
 * with a name suffix, or one volume under a new name), touching no existing volume or container.
 * Nothing destructive happens, so there is no name to type; an existing name is refused by the service.
 */
export function CloneDialog({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const client = useClient();
  const volumes = snapshot.volumes.map((v) => v.volumeName);
  const [mode, setMode] = useState<'suffix' | 'one'>('suffix');
  const [suffix, setSuffix] = useState('-copy');
  const [volume, setVolume] = useState(volumes[0] ?? '');
  const [to, setTo] = useState(`${volumes[0] ?? ''}-copy`);
  const clone = useMutation({
    mutationFn: () =>
      client.cloneSnapshot(
        mode === 'suffix' ? { snapshot: snapshot.id, suffix } : { snapshot: snapshot.id, volume, to },
      ),
  });
  const job = useJob(clone.data?.jobId ?? null);
  const ready = (mode === 'suffix' ? suffix.length > 0 : to.length > 0) && !clone.isPending;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready) clone.mutate();
  };
  if (clone.data) {
    const made = job?.kind === 'clone' ? job.result?.volumes : undefined;
    return (
      <Modal title={`Cloning ${snapshot.name}`} onClose={onClose}>
        <JobPanel job={job} onClose={onClose}>
          {job?.status === 'succeeded' && made && (
            <div role="status" className="ok clone-result">
              <p>New volumes holding the snapshot:</p>
              <ul>
                {made.map((v) => (
                  <li key={v.to}>
                    <strong>{v.to}</strong> from {v.from}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </JobPanel>
      </Modal>
    );
  }
  return (
    <Modal title={`Restore ${snapshot.name} into new volumes`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <p>
          Creates new volumes holding exactly this snapshot, labelled <code>io.volsnap.cloned-from</code>. No existing
          volume or container is touched.
        </p>
        <label className="checkbox">
          <input type="radio" name="clone-mode" checked={mode === 'suffix'} onChange={() => setMode('suffix')} />
          Every volume, each as its name plus a suffix
        </label>
        {mode === 'suffix' && (
          <label>
            Suffix
            <input value={suffix} onChange={(e) => setSuffix(e.target.value)} autoComplete="off" spellCheck={false} />
            <small>{volumes.map((v) => `${v}${suffix}`).join(', ')}</small>
          </label>
        )}
        <label className="checkbox">
          <input type="radio" name="clone-mode" checked={mode === 'one'} onChange={() => setMode('one')} />
          One volume under a new name
        </label>
        {mode === 'one' && (
          <>
            <label>
              Snapshot volume
              <select value={volume} onChange={(e) => setVolume(e.target.value)}>
                {volumes.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            </label>
            <label>
              New volume name
              <input value={to} onChange={(e) => setTo(e.target.value)} autoComplete="off" spellCheck={false} />
            </label>
          </>
        )}
        <ErrorMessage error={clone.error} />
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!ready}>
            Create volumes
          </button>
        </div>
      </form>
    </Modal>
  );
}
