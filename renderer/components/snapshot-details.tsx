import { MousePointerClick } from 'lucide-react';
import type { ReactNode } from 'react';
import { EmptyState } from './empty-state';
import { ErrorMessage } from './error-message';
import { SnapshotActions } from './snapshot-actions';
import type { SnapshotAction, SnapshotActionId } from './snapshot-action-list';
import { ImportedField } from './bundle-dialogs';
import { triggerLabel } from './trigger-shape';
import { VerifyResult } from './verify-result';
import { countOf, humanBytes, humanDate } from '../format';
import type { Snapshot, VerifyReport } from '../../shared/types';

/**
 * The details pane: everything known about the selected snapshot (name, note, trigger, mode,
 * sizes, files, provenance, pinned, expiry) and its actions. EXTENSION POINT: actions come from
 * snapshot-action-list.ts; extra sections (e.g. a file browser link) go after the <dl>.
 */
export function SnapshotDetails(props: {
  snapshot: Snapshot | null;
  actions: SnapshotAction[];
  onRun: (id: SnapshotActionId) => void;
  verified: VerifyReport | undefined;
  error: unknown;
}) {
  const { snapshot, actions, onRun, verified, error } = props;
  if (!snapshot)
    return (
      <section className="details" aria-label="Selected snapshot">
        <EmptyState icon={MousePointerClick} title="Select a snapshot to act on it.">
          Click a row or a mark on the timeline to see its details; double-click (or Enter) restores it.
        </EmptyState>
      </section>
    );
  return (
    <section className="details" aria-label={`Selected snapshot ${snapshot.name}`}>
      <header className="details-header">
        <h2 title={snapshot.name}>{snapshot.name}</h2>
        <p className="muted selected-summary">
          {countOf(snapshot.volumes.length, 'volume')} · {humanBytes(snapshot.storedBytes)} stored
        </p>
      </header>
      {snapshot.failureReason && <p className="error">{snapshot.failureReason}</p>}
      <SnapshotActions actions={actions} onRun={onRun} />
      {verified && <VerifyResult report={verified} />}
      <ErrorMessage error={error} />
      <dl className="fields">
        <Field label="Note">{snapshot.note || <span className="muted">none</span>}</Field>
        <Field label="Created">{humanDate(snapshot.createdAt, { seconds: true })}</Field>
        <Field label="Trigger">{triggerLabel(snapshot.trigger)}</Field>
        {snapshot.provenance?.imported && <ImportedField imported={snapshot.provenance.imported} />}
        <Field label="Mode">{snapshot.mode}</Field>
        <Field label="Size">
          {humanBytes(snapshot.sizeBytes)} of files, {humanBytes(snapshot.storedBytes)} stored
        </Field>
        <Field label="Files">{snapshot.fileCount.toLocaleString()}</Field>
        <Field label="Pinned">{snapshot.pinned ? 'yes (never pruned)' : 'no'}</Field>
        <Field label="Expires">{snapshot.expiresAt ? humanDate(snapshot.expiresAt) : 'never'}</Field>
        <Field label="Volumes">
          <ul className="plain">
            {snapshot.volumes.map((v) => (
              <li key={v.volumeName}>
                {v.volumeName}{' '}
                <span className="muted">
                  → {v.owner}:{v.mountDestination}
                </span>
              </li>
            ))}
          </ul>
        </Field>
        <Field label="Engine">{engine(snapshot)}</Field>
        <Field label="Images">
          <ul className="plain">
            {snapshot.provenance?.containers.map((c) => (
              <li key={c.name}>
                {c.name} <span className="muted">{c.image}</span>
              </li>
            )) ?? <li className="muted">not recorded</li>}
          </ul>
        </Field>
      </dl>
    </section>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function engine(s: Snapshot): string {
  const p = s.provenance;
  const name = s.engineName ?? p?.engineHost ?? 'unknown';
  return p ? `${name} (Docker ${p.engineVersion})` : name;
}
