import { useMutation, useQuery } from '@tanstack/react-query';
import { Download, File, Folder, HardDrive, Link2, Search } from 'lucide-react';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ErrorMessage } from './error-message';
import { Modal } from './modal';
import { useClient } from '../client/client-context';
import { isDesktop } from '../client/host';
import { queryKeys } from '../client/query-keys';
import { humanBytes } from '../format';
import { downloadUrl, type SnapshotFileEntry } from '../../shared/file-types';
import type { Snapshot } from '../../shared/types';

/**
 * Looks inside a snapshot without restoring it: a folder tree read from the stored manifest (sizes,
 * modes, owners), a search by name, a preview of small text files, and "Save as…" (desktop) or a
 * download (browser) of a file as itself or a folder as a .tar. Works with the engine down.
 */
export function SnapshotBrowser({ snapshot, onClose }: { snapshot: Snapshot; onClose: () => void }) {
  const single = snapshot.volumes.length === 1 ? snapshot.volumes[0]!.volumeName : undefined;
  const [volume, setVolume] = useState<string | undefined>(single);
  const [dir, setDir] = useState('.');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<SnapshotFileEntry | null>(null);
  const wide = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // A fixed size: a centred dialog that grew when a preview appears would move the row under a double-click.
    const dialog = wide.current?.closest('dialog');
    dialog?.style.setProperty('width', 'min(980px, 94vw)');
    dialog?.style.setProperty('height', 'min(820px, 88vh)');
  }, []);
  const open = (entry: SnapshotFileEntry) => {
    setSearch('');
    setSelected(null);
    if (entry.type === 'volume') {
      setVolume(entry.volume);
      setDir('.');
    } else if (entry.type === 'dir') setDir(entry.path);
    else setSelected(entry);
  };
  return (
    <Modal title={`Files in ${snapshot.name}`} onClose={onClose}>
      <div ref={wide} className="snapshot-browser">
        <div className="toolbar" style={{ gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
          <Breadcrumbs
            volume={volume}
            dir={dir}
            canPickVolume={single === undefined}
            onVolumes={() => {
              setVolume(undefined);
              setSelected(null);
            }}
            onDir={(path) => {
              setDir(path);
              setSelected(null);
            }}
          />
          {volume !== undefined && (
            <label style={{ marginLeft: 'auto', display: 'flex', alignItems: 'center', gap: 4 }}>
              <Search aria-hidden size={14} />
              <input
                type="search"
                placeholder="Find by name"
                aria-label="Find files by name"
                value={search}
                onChange={(event) => setSearch(event.target.value)}
              />
            </label>
          )}
        </div>
        <Listing
          snapshot={snapshot}
          volume={volume}
          dir={dir}
          search={search}
          selected={selected}
          onSelect={setSelected}
          onOpen={open}
        />
        {selected && selected.type !== 'volume' && <EntryPanel snapshot={snapshot} entry={selected} />}
        {!selected && volume !== undefined && dir !== '.' && (
          <EntryPanel snapshot={snapshot} entry={folderEntry(volume, dir)} />
        )}
      </div>
    </Modal>
  );
}

function Breadcrumbs(props: {
  volume: string | undefined;
  dir: string;
  canPickVolume: boolean;
  onVolumes: () => void;
  onDir: (path: string) => void;
}) {
  const parts = props.dir === '.' ? [] : props.dir.split('/');
  return (
    <nav aria-label="Folder" className="breadcrumbs" style={{ display: 'flex', gap: 4, flexWrap: 'wrap' }}>
      {props.canPickVolume && (
        <button type="button" className="link" onClick={props.onVolumes}>
          Volumes
        </button>
      )}
      {props.volume !== undefined && (
        <>
          {props.canPickVolume && <span aria-hidden>/</span>}
          <button type="button" className="link" onClick={() => props.onDir('.')}>
            {props.volume}
          </button>
        </>
      )}
      {parts.map((part, i) => (
        <span key={i} style={{ display: 'contents' }}>
          <span aria-hidden>/</span>
          <button type="button" className="link" onClick={() => props.onDir(parts.slice(0, i + 1).join('/'))}>
            {part}
          </button>
        </span>
      ))}
    </nav>
  );
}

function Listing(props: {
  snapshot: Snapshot;
  volume: string | undefined;
  dir: string;
  search: string;
  selected: SnapshotFileEntry | null;
  onSelect: (entry: SnapshotFileEntry) => void;
  onOpen: (entry: SnapshotFileEntry) => void;
}) {
  const client = useClient();
  const search = props.search.trim();
  const input = {
    snapshot: props.snapshot.id,
    volume: props.volume,
    path: search === '' ? props.dir : undefined,
    search: search === '' ? undefined : search,
  };
  const listing = useQuery({
    queryKey: queryKeys.snapshotFiles(input),
    queryFn: () => client.listSnapshotFiles(input),
    placeholderData: (previous) => previous,
  });
  const entries = listing.data?.entries ?? [];
  const onKey = (event: KeyboardEvent, entry: SnapshotFileEntry) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      props.onOpen(entry);
    }
  };
  return (
    <div style={{ maxHeight: '46vh', overflow: 'auto', margin: '8px 0' }}>
      <ErrorMessage error={listing.error} />
      {listing.data && entries.length === 0 && (
        <p className="muted">{search === '' ? 'This folder is empty.' : `Nothing named like “${search}”.`}</p>
      )}
      {entries.length > 0 && (
        <table className="data-table" aria-label={search === '' ? `Contents of ${props.dir}` : 'Search results'}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Mode</th>
              <th scope="col">Owner</th>
              <th scope="col">Modified</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => {
              const isSelected = props.selected?.path === entry.path && props.selected.volume === entry.volume;
              return (
                <tr
                  key={`${entry.volume}/${entry.path}`}
                  data-path={entry.path}
                  tabIndex={0}
                  aria-selected={isSelected}
                  style={isSelected ? { background: 'var(--row-selected)' } : undefined}
                  onClick={() => props.onSelect(entry)}
                  onDoubleClick={() => props.onOpen(entry)}
                  onKeyDown={(event) => onKey(event, entry)}
                >
                  <th scope="row" style={{ fontWeight: 'normal' }}>
                    <EntryIcon entry={entry} />{' '}
                    {entry.type === 'dir' || entry.type === 'volume' ? (
                      <button type="button" className="link" onClick={() => props.onOpen(entry)}>
                        {search === '' ? entry.name : entry.path}
                      </button>
                    ) : (
                      <span>{search === '' ? entry.name : entry.path}</span>
                    )}
                    {entry.linkTarget !== null && <span className="muted"> → {entry.linkTarget}</span>}
                  </th>
                  <td>{entry.type === 'file' || entry.type === 'volume' ? humanBytes(entry.size) : '–'}</td>
                  <td>{entry.type === 'volume' ? '–' : modeText(entry.mode)}</td>
                  <td>{entry.type === 'volume' ? '–' : `${entry.uid}:${entry.gid}`}</td>
                  <td>{entry.mtime > 0 ? new Date(entry.mtime * 1000).toLocaleString() : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {listing.data?.truncated && <p className="muted">More entries match: type more of the name.</p>}
    </div>
  );
}

/** The selected entry: Save as… / download, and a preview of a file. */
function EntryPanel({ snapshot, entry }: { snapshot: Snapshot; entry: SnapshotFileEntry }) {
  const client = useClient();
  const ref = { snapshot: snapshot.id, volume: entry.volume, path: entry.path };
  const folder = entry.type === 'dir';
  const save = useMutation({ mutationFn: () => client.saveSnapshotFile(ref) });
  const label = folder ? `${entry.path === '.' ? entry.volume : entry.name}.tar` : entry.name;
  return (
    <section aria-label={`Selected ${folder ? 'folder' : 'file'} ${entry.path}`} className="browser-entry">
      <div className="toolbar" style={{ gap: 8, alignItems: 'center' }}>
        <strong>{entry.path === '.' ? entry.volume : entry.path}</strong>
        {isDesktop() ? (
          <button type="button" className="small" onClick={() => save.mutate()} disabled={save.isPending}>
            <Download aria-hidden size={15} /> Save as…
          </button>
        ) : (
          <a className="button small" href={downloadUrl(ref)} download={label}>
            <Download aria-hidden size={15} /> Download {folder ? 'folder (.tar)' : 'file'}
          </a>
        )}
        {save.data?.savedTo && <span role="status">Saved to {save.data.savedTo}</span>}
      </div>
      <ErrorMessage error={save.error} />
      {entry.type === 'file' || entry.type === 'hardlink' ? <Preview snapshot={snapshot} entry={entry} /> : null}
    </section>
  );
}

function Preview({ snapshot, entry }: { snapshot: Snapshot; entry: SnapshotFileEntry }) {
  const client = useClient();
  const input = { snapshot: snapshot.id, volume: entry.volume, path: entry.path };
  const preview = useQuery({
    queryKey: queryKeys.snapshotFilePreview(input),
    queryFn: () => client.readSnapshotFile(input),
  });
  const data = preview.data;
  return (
    <div aria-label="Preview">
      <ErrorMessage error={preview.error} />
      {data?.kind === 'text' && (
        <pre
          aria-label={`Preview of ${entry.name}`}
          style={{ maxHeight: '30vh', overflow: 'auto', whiteSpace: 'pre-wrap', margin: 0 }}
        >
          {data.text}
        </pre>
      )}
      {data?.kind === 'binary' && <p className="muted">Binary file ({humanBytes(data.size)}): no preview.</p>}
      {data?.kind === 'too-large' && (
        <p className="muted">Too large to preview ({humanBytes(data.size)}); save it to look at it.</p>
      )}
    </div>
  );
}

function EntryIcon({ entry }: { entry: SnapshotFileEntry }) {
  const Icon =
    entry.type === 'volume'
      ? HardDrive
      : entry.type === 'dir'
        ? Folder
        : entry.type === 'symlink' || entry.type === 'hardlink'
          ? Link2
          : File;
  return <Icon aria-label={entry.type} size={14} />;
}

function folderEntry(volume: string, path: string): SnapshotFileEntry {
  const name = path === '.' ? volume : path.slice(path.lastIndexOf('/') + 1);
  return { volume, path, name, type: 'dir', size: 0, mode: 0, uid: 0, gid: 0, mtime: 0, linkTarget: null };
}

function modeText(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}
