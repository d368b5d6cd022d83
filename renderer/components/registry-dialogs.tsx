import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorMessage } from './error-message';
import { JobPanel } from './job-progress';
import { Modal } from './modal';
import { useClient } from '../client/client-context';
import { useJob } from '../hooks/use-jobs';
import type { Job, Snapshot } from '../../shared/types';
import { SNAPSHOT_NAME_MAX } from '../../shared/snapshot-name';

/** The image references used last (newest first), kept by this browser or app window. */
const RECENT_KEY = 'volsnap.registry.recent-references';
const RECENT_MAX = 8;

function recentReferences(): string[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((r): r is string => typeof r === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

function rememberReference(reference: string): void {
  const list = [reference, ...recentReferences().filter((r) => r !== reference)].slice(0, RECENT_MAX);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    /* storage full or disabled: remembering is a convenience */
  }
}

/** The reference field, offering the last used references. */
function ReferenceField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const listId = useId();
  const [recent] = useState(recentReferences);
  return (
    <label>
      Image reference
      <input
        data-autofocus
        value={value}
        onChange={(e) => onChange(e.target.value)}
        list={listId}
        placeholder="registry.example.com/team/snapshots:tag"
        maxLength={512}
        required
        spellCheck={false}
      />
      <datalist id={listId}>
        {recent.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
    </label>
  );
}

/** What a finished push or pull produced, in words. */
function RegistryResult({ job }: { job: Job | undefined }) {
  if (job?.status !== 'succeeded' || !job.result) return null;
  if (job.result.kind === 'push')
    return (
      <p role="status">
        Pushed to <code>{job.result.reference}</code>, digest <code>{job.result.digest}</code>.
      </p>
    );
  if (job.result.kind === 'pull')
    return (
      <p role="status">
        Pulled <code>{job.result.reference}</code>
        {job.result.digest && (
          <>
            {' '}
            (<code>{job.result.digest}</code>)
          </>
        )}
        : it is listed with trigger “pull”.
      </p>
    );
  return null;
}

/**
 * The frame Push… and Pull… share: the reference field, the dialog's own fields, the error and the
 * button until the job starts (the reference is then remembered); afterwards the job's byte
 * progress with cancel, and its result.
 */
function RegistryJobDialog({
  title,
  verb,
  start,
  onClose,
  children,
}: {
  title: string;
  verb: string;
  /** Starts the job for the (trimmed) reference. */
  start: (reference: string) => Promise<{ jobId: string }>;
  onClose: () => void;
  children: ReactNode;
}) {
  const client = useClient();
  const [reference, setReference] = useState('');
  const run = useMutation({
    mutationFn: () => start(reference.trim()),
    onSuccess: () => rememberReference(reference.trim()),
  });
  const job = useJob(run.data?.jobId ?? null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate();
  };
  return (
    <Modal title={title} onClose={onClose}>
      {!run.data ? (
        <form onSubmit={submit} className="form">
          <ReferenceField value={reference} onChange={setReference} />
          {children}
          <ErrorMessage error={run.error} />
          <div className="buttons">
            <button type="submit" className="primary" disabled={run.isPending || reference.trim() === ''}>
              {verb}
            </button>
          </div>
        </form>
      ) : (
        <JobPanel job={job} onCancel={job && (() => void client.cancelJob({ jobId: job.id }))} onClose={onClose}>
          <RegistryResult job={job} />
        </JobPanel>
      )}
    </Modal>
  );
}

/** Push… : a snapshot to a registry with the user's docker login; byte progress, cancel, the digest. */
export function PushDialog({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const client = useClient();
  const [keepImage, setKeepImage] = useState(false);
  return (
    <RegistryJobDialog
      title={`Push ${snapshot.name}`}
      verb="Push"
      start={(reference) => client.pushSnapshot({ snapshot: snapshot.id, reference, keepImage })}
      onClose={onClose}
    >
      <label className="checkbox">
        <input type="checkbox" checked={keepImage} onChange={(e) => setKeepImage(e.target.checked)} />
        Keep the image on the engine afterwards
      </label>
      <p className="muted">
        Uses the credentials of <code>docker login</code> for that registry. The image holds the snapshot’s archives as
        they are stored.
      </p>
    </RegistryJobDialog>
  );
}

/** Pull… : a snapshot image into the store, checked like an imported bundle; byte progress, cancel. */
export function PullDialog({ onClose }: { onClose: () => void }) {
  const client = useClient();
  const [name, setName] = useState('');
  const [volume, setVolume] = useState('');
  const [allowSpecialFiles, setAllowSpecialFiles] = useState(false);
  const start = (reference: string) =>
    client.pullSnapshot({
      reference,
      name: name.trim() || undefined,
      volume: volume.trim() || undefined,
      allowSpecialFiles,
    });
  return (
    <RegistryJobDialog title="Pull a snapshot" verb="Pull" start={start} onClose={onClose}>
      <label>
        Name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="the pushed snapshot's name when empty"
          maxLength={SNAPSHOT_NAME_MAX}
        />
      </label>
      <label>
        Volume (only for vackup / Volumes Backup &amp; Share images)
        <input value={volume} onChange={(e) => setVolume(e.target.value)} maxLength={255} spellCheck={false} />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={allowSpecialFiles} onChange={(e) => setAllowSpecialFiles(e.target.checked)} />
        Allow device nodes, FIFOs and setuid files on restore
      </label>
    </RegistryJobDialog>
  );
}
