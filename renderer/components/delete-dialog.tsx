import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';
import { Modal } from './modal';
import { useClient } from '../client/client-context';
import type { Snapshot } from '../../shared/types';

/**
 * Confirms a delete the way the CLI does (`--confirm <name>`): the snapshot's exact name typed;
 * a pinned snapshot also needs an explicit "delete anyway".
 */
export function DeleteDialog({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const client = useClient();
  const [force, setForce] = useState(false);
  const [confirm, setConfirm] = useState('');
  const remove = useMutation({
    mutationFn: () => client.deleteSnapshot({ snapshot: snapshot.id, confirm, force }),
    onSuccess: onClose,
  });
  const armed = confirm === snapshot.name && (!snapshot.pinned || force) && !remove.isPending;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (armed) remove.mutate();
  };
  return (
    <Modal title={`Delete ${snapshot.name}?`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <p>The snapshot and its archives are removed from this computer. This cannot be undone.</p>
        <label>
          {`Type ${snapshot.name} to confirm`}
          <input
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={confirm.length > 0 && confirm !== snapshot.name}
            data-autofocus
          />
        </label>
        {snapshot.pinned && (
          <label className="checkbox">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
            It is pinned: delete it anyway
          </label>
        )}
        <ErrorMessage error={remove.error} />
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Keep it
          </button>
          <button type="submit" className={armed ? 'danger armed' : 'danger'} disabled={!armed}>
            Delete
          </button>
        </div>
      </form>
    </Modal>
  );
}
