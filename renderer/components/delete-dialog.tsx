import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorMessage } from './error-message';
import { Modal } from './modal';
import { useClient } from '../client/client-context';
import type { Snapshot } from '../../shared/types';

/** Confirms a delete (a pinned snapshot needs an explicit "delete anyway"). */
export function DeleteDialog({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const client = useClient();
  const [force, setForce] = useState(false);
  const remove = useMutation({
    mutationFn: () => client.deleteSnapshot({ snapshot: snapshot.id, confirm: snapshot.name, force }),
    onSuccess: onClose,
  });
  return (
    <Modal title={`Delete ${snapshot.name}?`} onClose={onClose}>
      <div className="form">
        <p>The snapshot and its archives are removed from this computer. This cannot be undone.</p>
        {snapshot.pinned && (
          <label className="checkbox">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
            It is pinned: delete it anyway
          </label>
        )}
        <ErrorMessage error={remove.error} />
        <div className="buttons">
          <button type="button" onClick={onClose} autoFocus>
            Keep it
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => remove.mutate()}
            disabled={remove.isPending || (snapshot.pinned && !force)}
          >
            Delete
          </button>
        </div>
      </div>
    </Modal>
  );
}
