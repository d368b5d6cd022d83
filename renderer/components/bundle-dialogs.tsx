import { useMutation } from '@tanstack/react-query';
import { Download, FileUp, X } from 'lucide-react';
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { ErrorMessage } from './error-message';
import { JobPanel } from './job-progress';
import { Modal } from './modal';
import { useClient } from '../client/client-context';
import { isDesktop } from '../client/host';
import { useJob } from '../hooks/use-jobs';
import { humanBytes } from '../format';
import { VolsnapError, type ErrorData } from '../../shared/errors';
import { exportUrl, UPLOAD_NAME_HEADER, UPLOAD_PATH } from '../../shared/file-types';
import type { ImportProvenance, Job, Snapshot } from '../../shared/types';

/** What a finished export or import produced, in words. */
function BundleResult({ job }: { job: Job | undefined }) {
  if (job?.status !== 'succeeded' || !job.result) return null;
  if (job.result.kind === 'export')
    return (
      <p role="status">
        Exported to <code>{job.result.file}</code> ({humanBytes(job.result.sizeBytes)}, sha256{' '}
        <code>{job.result.sha256.slice(0, 16)}…</code>).
      </p>
    );
  if (job.result.kind === 'import')
    return <p role="status">Imported as “{job.result.snapshotName}”: it is listed with trigger “import”.</p>;
  return null;
}

/**
 * Export… : the snapshot as one .volsnap file. The desktop app asks where in a save dialog and
 * shows the export job's bytes with cancel; the browser downloads it (its download bar shows the bytes).
 */
export function ExportDialog({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const client = useClient();
  const run = useMutation({ mutationFn: () => client.exportSnapshot({ snapshot: snapshot.id }) });
  const job = useJob(run.data?.jobId ?? null);
  const desktop = isDesktop();
  return (
    <Modal title={`Export ${snapshot.name}`} onClose={onClose}>
      {run.data?.jobId ? (
        <JobPanel job={job} onCancel={job && (() => void client.cancelJob({ jobId: job.id }))} onClose={onClose}>
          <BundleResult job={job} />
        </JobPanel>
      ) : (
        <div className="form bundle-form">
          <p className="muted">
            One .volsnap file with this snapshot’s volumes and manifest, to move it to another machine or keep it
            elsewhere. Import… (or <code>volsnap import</code>) brings it back.
          </p>
          <ErrorMessage error={run.error} />
          <div className="buttons">
            {desktop ? (
              <button type="button" className="primary" disabled={run.isPending} onClick={() => run.mutate()}>
                <Download aria-hidden size={15} /> Export…
              </button>
            ) : (
              <a className="button primary" href={exportUrl(snapshot.id)} download>
                <Download aria-hidden size={15} /> Download {snapshot.name}.volsnap
              </a>
            )}
          </div>
        </div>
      )}
    </Modal>
  );
}

type Upload = { loaded: number; total: number; abort: () => void };

/** Sends a file to the web host's upload route; resolves with the imported snapshot. */
function uploadBundle(file: File, onProgress: (upload: Upload) => void): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    xhr.open('POST', UPLOAD_PATH);
    xhr.setRequestHeader(UPLOAD_NAME_HEADER, encodeURIComponent(file.name));
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.total || file.size, abort });
    xhr.onabort = () => reject(new VolsnapError('Cancelled', 'The upload was cancelled; nothing was imported.'));
    xhr.onerror = () =>
      reject(new VolsnapError('Unsupported', 'The upload failed: the Volsnap host could not be reached.'));
    xhr.onload = () => {
      try {
        const reply = JSON.parse(xhr.responseText) as { ok: true; value: Snapshot } | { ok: false; error: ErrorData };
        if (reply.ok) resolve(reply.value);
        else reject(new VolsnapError(reply.error.kind, reply.error.message));
      } catch {
        reject(new VolsnapError('Unsupported', `The upload failed (HTTP ${xhr.status}).`));
      }
    };
    onProgress({ loaded: 0, total: file.size, abort });
    xhr.send(file);
  });
}

/**
 * Import… : a .volsnap bundle, checked in full before anything is stored. The desktop app opens a
 * file dialog and shows the import job; the browser uploads the chosen (or dropped) file with its
 * bytes and cancel, then the host checks and stores it.
 */
export function ImportDialog({ onClose, file: dropped }: { onClose: () => void; file?: File }) {
  const client = useClient();
  const desktop = isDesktop();
  const [upload, setUpload] = useState<Upload | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const open = useMutation({ mutationFn: () => client.importBundle({}) });
  const job = useJob(open.data?.jobId ?? null);
  const send = useMutation({ mutationFn: (file: File) => uploadBundle(file, setUpload) });
  const [started] = useState(() => {
    if (dropped) queueMicrotask(() => send.mutate(dropped));
    return dropped !== undefined;
  });
  const choose = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) send.mutate(file);
  };
  if (open.data?.jobId)
    return (
      <Modal title="Import a snapshot" onClose={onClose}>
        <JobPanel job={job} onCancel={job && (() => void client.cancelJob({ jobId: job.id }))} onClose={onClose}>
          <BundleResult job={job} />
        </JobPanel>
      </Modal>
    );
  const uploading = send.isPending && upload !== null;
  return (
    <Modal title="Import a snapshot" onClose={onClose}>
      <div className="form bundle-form">
        {!send.data && !uploading && (
          <p className="muted">
            Choose a .volsnap file made by Export… or <code>volsnap export</code>. Every entry is checked before
            anything is stored.
          </p>
        )}
        {uploading && (
          <div className="bundle-progress" role="status">
            <progress max={upload.total} value={upload.loaded} aria-label="Upload progress" />
            <span>
              {upload.loaded < upload.total
                ? `Uploading ${humanBytes(upload.loaded)} of ${humanBytes(upload.total)}`
                : 'Checking and importing…'}
            </span>
            <button type="button" onClick={upload.abort}>
              <X aria-hidden size={15} /> Cancel
            </button>
          </div>
        )}
        {send.data && (
          <p role="status" className="ok">
            Imported as “{send.data.name}” into {send.data.workloadName}: it is listed with trigger “import”.
          </p>
        )}
        <ErrorMessage error={open.error ?? send.error} />
        <div className="buttons">
          {send.data || (started && !send.error && !upload) ? (
            <button type="button" className="primary" onClick={onClose}>
              Close
            </button>
          ) : desktop ? (
            <button type="button" className="primary" disabled={open.isPending} onClick={() => open.mutate()}>
              <FileUp aria-hidden size={15} /> Choose file…
            </button>
          ) : (
            <>
              <input
                ref={input}
                type="file"
                accept=".volsnap"
                aria-label="Bundle file"
                className="visually-hidden"
                onChange={choose}
              />
              <button
                type="button"
                className="primary"
                disabled={send.isPending}
                onClick={() => input.current?.click()}
              >
                <FileUp aria-hidden size={15} /> Choose file…
              </button>
            </>
          )}
        </div>
      </div>
    </Modal>
  );
}

/** The details pane's line for an imported snapshot: where it came from. */
export function ImportedField({ imported }: { imported: ImportProvenance }) {
  const from = imported.image ? imported.image.reference : imported.fileName;
  return (
    <>
      <dt>Imported</dt>
      <dd className="bundle-imported">
        <FileUp aria-hidden size={13} /> from <code>{from}</code>
        <span className="muted">
          {' '}
          ({imported.source}, {new Date(imported.importedAt).toLocaleString()}
          {imported.originEngine?.name ? `, captured on ${imported.originEngine.name}` : ''})
        </span>
      </dd>
    </>
  );
}

/**
 * A .volsnap file dropped anywhere on the window opens Import… with it (in the browser it is
 * uploaded; the desktop app's dialog asks for the file instead, as a dropped file has no path there).
 */
export function BundleDrop() {
  const [over, setOver] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  useEffect(() => {
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') === true;
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setOver(true);
    };
    const onLeave = (e: DragEvent) => e.relatedTarget === null && setOver(false);
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setOver(false);
      const dropped = e.dataTransfer?.files[0];
      if (dropped && !isDesktop()) setFile(dropped);
    };
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  return (
    <>
      {over && !isDesktop() && <div className="bundle-drop">Drop a .volsnap file to import it</div>}
      {file && <ImportDialog key={`${file.name}-${file.lastModified}`} file={file} onClose={() => setFile(null)} />}
    </>
  );
}
