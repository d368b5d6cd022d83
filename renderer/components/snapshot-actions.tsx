import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { DeleteDialog } from './delete-dialog';
import { EditSnapshotDialog } from './edit-snapshot-dialog';
import { ErrorMessage } from './error-message';
import { useClient } from '../client/client-context';
import { countOf, humanBytes } from '../format';
import type { Snapshot } from '../../shared/types';

/**
 * What can be done with the selected snapshot: edit, pin, verify, diff, restore, delete. Always
 * rendered (disabled with no selection) so selecting a row never shifts the table under the pointer.
 */
export function SnapshotActions(props: { snapshot: Snapshot | null; onDiff: () => void; onRestore: () => void }) {
  const { snapshot } = props;
  if (!snapshot) {
    return (
      <section className="snapshot-actions" aria-label="Selected snapshot">
        <p className="selected-summary muted">Select a snapshot to act on it.</p>
        <div className="toolbar" role="toolbar" aria-label="Snapshot actions">
          {['Rename / note…', 'Pin', 'Verify', 'Diff…', 'Restore…', 'Delete…'].map((label) => (
            <button key={label} type="button" disabled>
              {label}
            </button>
          ))}
        </div>
      </section>
    );
  }
  return <SelectedActions {...props} snapshot={snapshot} />;
}

function SelectedActions(props: { snapshot: Snapshot; onDiff: () => void; onRestore: () => void }) {
  const { snapshot, onDiff, onRestore } = props;
  const client = useClient();
  const [dialog, setDialog] = useState<'edit' | 'delete' | null>(null);
  const pin = useMutation({
    mutationFn: () => client.updateSnapshot({ snapshot: snapshot.id, pinned: !snapshot.pinned }),
  });
  const verify = useMutation({ mutationFn: () => client.verifySnapshot({ snapshot: snapshot.id }) });
  const ready = snapshot.status === 'ready';
  return (
    <section className="snapshot-actions" aria-label={`Selected snapshot ${snapshot.name}`}>
      <p className="selected-summary" title={snapshot.note || undefined}>
        <strong>{snapshot.name}</strong>
        <span className="muted">
          {' '}
          · {countOf(snapshot.volumes.length, 'volume')} · {humanBytes(snapshot.storedBytes)} stored
          {snapshot.failureReason && ` · ${snapshot.failureReason}`}
          {snapshot.note && ` · ${snapshot.note}`}
        </span>
      </p>
      <div className="toolbar" role="toolbar" aria-label="Snapshot actions">
        <button type="button" onClick={() => setDialog('edit')}>
          Rename / note…
        </button>
        <button type="button" onClick={() => pin.mutate()} disabled={pin.isPending}>
          {snapshot.pinned ? 'Unpin' : 'Pin'}
        </button>
        <button type="button" onClick={() => verify.mutate()} disabled={!ready || verify.isPending}>
          {verify.isPending ? 'Verifying…' : 'Verify'}
        </button>
        <button type="button" onClick={onDiff} disabled={!ready}>
          Diff…
        </button>
        <button type="button" onClick={onRestore} disabled={!ready}>
          Restore…
        </button>
        <button type="button" className="danger" onClick={() => setDialog('delete')}>
          Delete…
        </button>
      </div>
      {verify.data && (
        <p role="status" className={verify.data.ok ? 'ok' : 'error'}>
          {verify.data.ok
            ? 'Verified: every archive matches its checksum and manifest.'
            : verify.data.volumes
                .filter((v) => !v.ok)
                .map((v) => `${v.volumeName}: ${v.problem}`)
                .join('; ')}
        </p>
      )}
      <ErrorMessage error={pin.error ?? verify.error} />
      {dialog === 'edit' && <EditSnapshotDialog snapshot={snapshot} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteDialog snapshot={snapshot} onClose={() => setDialog(null)} />}
    </section>
  );
}
