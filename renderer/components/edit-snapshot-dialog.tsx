import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';
import { Modal } from './modal';
import { useClient } from '../client/client-context';
import type { Snapshot } from '../../shared/types';
import { SNAPSHOT_NAME_MAX } from '../../shared/snapshot-name';

/** Rename a snapshot or edit its note; a refused name keeps the dialog open with the reason. */
export function EditSnapshotDialog({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const client = useClient();
  const [name, setName] = useState(snapshot.name);
  const [note, setNote] = useState(snapshot.note);
  const save = useMutation({
    mutationFn: () => client.updateSnapshot({ snapshot: snapshot.id, name, note }),
    onSuccess: onClose,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Modal title={`Edit ${snapshot.name}`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={SNAPSHOT_NAME_MAX} />
        </label>
        <label>
          Note
          <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={2000} />
        </label>
        <ErrorMessage error={save.error} />
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={save.isPending}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
