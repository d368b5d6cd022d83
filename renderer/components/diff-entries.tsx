import { useMemo, useState } from 'react';
import type { SelectedFile } from './diff-sides';
import { humanBytes } from '../format';
import type { DiffResult } from '../../shared/diff-types';

type Change = 'added' | 'removed' | 'modified';
interface Row {
  change: Change;
  volume: string;
  path: string;
  size: number;
  detail: string;
}

/** Beyond this many matches the list asks for a narrower filter instead of growing the page. */
const MAX_ROWS = 500;

/** The changed entries, filterable by path and kind; a file (added, removed or modified) opens its content view. */
export function DiffEntries(props: {
  diff: DiffResult;
  selected: SelectedFile | null;
  onOpen: (file: SelectedFile) => void;
}) {
  const { diff, selected, onOpen } = props;
  const [filter, setFilter] = useState('');
  const [kinds, setKinds] = useState<Record<Change, boolean>>({ added: true, removed: true, modified: true });
  const rows = useMemo(() => flatten(diff), [diff]);
  const needle = filter.trim().toLowerCase();
  const matches = rows.filter((r) => kinds[r.change] && (!needle || r.path.toLowerCase().includes(needle)));
  return (
    <section aria-label="Changed files" className="diff-entries">
      {/* Nothing to filter when nothing changed. */}
      {rows.length > 0 && (
        <div className="filters">
          <label className="inline">
            Filter paths
            <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="e.g. .conf" />
          </label>
          {(Object.keys(kinds) as Change[]).map((kind) => (
            <label key={kind} className="checkbox">
              <input
                type="checkbox"
                checked={kinds[kind]}
                onChange={(e) => setKinds({ ...kinds, [kind]: e.target.checked })}
              />
              {kind}
            </label>
          ))}
        </div>
      )}
      {matches.length === 0 && <p>{rows.length === 0 ? 'No changes.' : 'No changes match the filter.'}</p>}
      {matches.length > 0 && (
        <ul className="diff-list">
          {matches.slice(0, MAX_ROWS).map((r) => (
            <li key={`${r.change}:${r.volume}:${r.path}`} className={r.change} data-change={r.change}>
              <span className="badge">{r.change}</span>
              <span className="muted">{r.volume}</span>
              {r.change === 'modified' || r.detail === 'file' ? (
                <button
                  type="button"
                  className="link path"
                  aria-pressed={selected?.volume === r.volume && selected.path === r.path}
                  onClick={() => onOpen({ volume: r.volume, path: r.path })}
                >
                  {r.path}
                </button>
              ) : (
                <span className="path">{r.path}</span>
              )}
              <span className="muted">
                {humanBytes(r.size)}
                {r.detail && ` · ${r.detail}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      {matches.length > MAX_ROWS && (
        <p className="muted">
          Showing {MAX_ROWS} of {matches.length} changes; narrow the filter to see the rest.
        </p>
      )}
    </section>
  );
}

function flatten(diff: DiffResult): Row[] {
  return diff.volumes.flatMap((v) => [
    ...v.added.map((e) => ({
      change: 'added' as const,
      volume: v.volumeName,
      path: e.path,
      size: e.size,
      detail: e.type,
    })),
    ...v.removed.map((e) => ({
      change: 'removed' as const,
      volume: v.volumeName,
      path: e.path,
      size: e.size,
      detail: e.type,
    })),
    ...v.modified.map((e) => ({
      change: 'modified' as const,
      volume: v.volumeName,
      path: e.path,
      size: e.after.size,
      detail: e.changes.join(', '),
    })),
  ]);
}
