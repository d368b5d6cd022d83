import type { DiffSides } from './diff-sides';
import { humanBytes } from '../format';
import type { DiffResult } from '../../shared/diff-types';

/** Added / removed / modified counts and bytes, per volume and in total. */
export function DiffSummaryTable({ diff, sides }: { diff: DiffResult; sides: DiffSides }) {
  const rows = [
    ...diff.volumes.map((v) => ({ name: v.volumeName, note: presenceNote(v.presence, sides), s: v.summary })),
    { name: 'Total', note: '', s: diff.summary },
  ];
  return (
    <table className="data-table diff-summary" aria-label="Changes per volume">
      <thead>
        <tr>
          <th scope="col">Volume</th>
          <th scope="col">Added</th>
          <th scope="col">Removed</th>
          <th scope="col">Modified</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ name, note, s }) => (
          <tr key={name}>
            <th scope="row">
              {name}
              {note && <span className="muted"> {note}</span>}
            </th>
            <td className="added">
              {s.added} ({humanBytes(s.addedBytes)})
            </td>
            <td className="removed">
              {s.removed} ({humanBytes(s.removedBytes)})
            </td>
            <td className="modified">
              {s.modified} ({humanBytes(s.modifiedBytes)})
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function presenceNote(presence: 'both' | 'before-only' | 'after-only', { from, to }: DiffSides): string {
  if (presence === 'before-only') return `(only in ${from.name})`;
  if (presence === 'after-only') return to === 'current' ? `(new since ${from.name})` : `(only in ${to.name})`;
  return '';
}
