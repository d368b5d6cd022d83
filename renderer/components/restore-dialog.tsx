import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CloneDialog } from './clone-dialog';
import { ErrorMessage } from './error-message';
import { JobPanel } from './job-progress';
import { Modal } from './modal';
import { RestorePlanView } from './restore-plan-view';
import { RestoreResultView } from './restore-result-view';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useJob } from '../hooks/use-jobs';
import { stoppingText } from '../restore-text';
import type { Snapshot } from '../../shared/types';

/**
 * The guarded restore: what will happen, which volumes (a checkbox each, all ticked), a safety
 * snapshot (on by default), and a Restore button that stays disabled until the snapshot's exact
 * name is typed; then progress per phase and the result. "Restore into new volumes…" switches to
 * the clone dialog, which touches no existing volume.
 */
export function RestoreDialog({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const client = useClient();
  const all = snapshot.volumes.map((v) => v.volumeName);
  const [unticked, setUnticked] = useState<ReadonlySet<string>>(new Set());
  const chosen = new Set(all.filter((v) => !unticked.has(v)));
  // Every volume ticked restores them all (and stops every container, as a whole restore does).
  const volumes = unticked.size > 0 ? [...chosen] : undefined;
  const plan = useQuery({
    queryKey: [...queryKeys.restorePlan(snapshot.id), volumes ?? 'all'],
    queryFn: () => client.previewRestore({ snapshot: snapshot.id, volumes }),
    enabled: chosen.size > 0,
    staleTime: 0,
  });
  const [confirm, setConfirm] = useState('');
  const [safetySnapshot, setSafetySnapshot] = useState(true);
  const [cloning, setCloning] = useState(false);
  const restore = useMutation({
    mutationFn: () => client.restoreSnapshot({ snapshot: snapshot.id, confirm, safetySnapshot, volumes }),
  });
  const job = useJob(restore.data?.jobId ?? null);
  const blocked = (plan.data?.blockers.length ?? 0) > 0;
  const matches = confirm === snapshot.name;
  const armed = matches && !blocked && chosen.size > 0 && !!plan.data && !restore.isPending;
  const toggle = (volume: string) =>
    setUnticked((prev) => {
      const next = new Set(prev);
      if (!next.delete(volume)) next.add(volume);
      return next;
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (armed) restore.mutate();
  };
  if (restore.data) {
    return (
      <Modal title={`Restoring ${snapshot.name}`} onClose={onClose}>
        <JobPanel job={job} onClose={onClose} describePhase={(j) => stoppingText(j, plan.data)}>
          {job?.status === 'succeeded' && <RestoreResultView job={job} />}
        </JobPanel>
      </Modal>
    );
  }
  if (cloning) return <CloneDialog snapshot={snapshot} onClose={onClose} />;
  return (
    <Modal title={`Restore ${snapshot.name}`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <ErrorMessage error={plan.error} />
        {chosen.size === 0 && <p className="error">Tick at least one volume to restore.</p>}
        {plan.isPending && chosen.size > 0 && <p>Checking what a restore would do…</p>}
        {plan.data && (
          <RestorePlanView plan={plan.data} safetySnapshot={safetySnapshot} choice={{ all, chosen, toggle }} />
        )}
        <label className="checkbox">
          <input type="checkbox" checked={safetySnapshot} onChange={(e) => setSafetySnapshot(e.target.checked)} />
          Take a safety snapshot of the current volumes first
        </label>
        <label>
          {`Type ${snapshot.name} to confirm`}
          <input
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={confirm.length > 0 && !matches}
            data-autofocus
          />
        </label>
        <ErrorMessage error={restore.error} />
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" onClick={() => setCloning(true)} disabled={snapshot.status !== 'ready'}>
            Restore into new volumes…
          </button>
          <button type="submit" className={armed ? 'danger armed' : 'danger'} disabled={!armed}>
            Restore
          </button>
        </div>
      </form>
    </Modal>
  );
}
